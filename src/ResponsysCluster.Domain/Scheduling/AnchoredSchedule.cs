namespace ResponsysCluster.Domain.Scheduling;

/// <summary>
/// Stitch's anchor scheduling: a run at <see cref="Anchor"/> each day, local time in <see cref="Zone"/>, and one
/// every <see cref="Every"/> after it until the next day's anchor (6 h from 02:30: 02:30, 08:30, 14:30, 20:30).
/// When <see cref="Every"/> does not divide a day, each day still starts again at the anchor.
/// </summary>
/// <remarks>
/// Run times are wall-clock times, so they stay put across daylight-saving changes. A time the clocks skip
/// runs when they land (02:30 on the spring change in Paris runs at 03:00), as cron does; a time the clocks
/// repeat runs once, in its first pass, so a schedule more frequent than hourly pauses during the repeated hour.
/// </remarks>
public sealed record AnchoredSchedule(TimeSpan Every, TimeOnly Anchor, TimeZoneInfo Zone) : ReplicationSchedule
{
    public static readonly TimeSpan MaximumEvery = TimeSpan.FromDays(1);

    public TimeSpan Every { get; } = CheckEvery(Every, MaximumEvery);

    /// <summary>
    /// The first run time strictly after <paramref name="now"/>, with the zone's offset at that time.
    /// <paramref name="lastStart"/> does not move it: a run time missed while the connection was down is not made up.
    /// </summary>
    public DateTimeOffset NextAfter(DateTimeOffset now, DateTimeOffset? lastStart)
    {
        var local = TimeZoneInfo.ConvertTime(now, Zone).DateTime;
        // The day whose series (its anchor and the 24 hours after) holds `local`; start at its last run at or before
        // `local`, which the loop steps past.
        var day = DateOnly.FromDateTime(local.AddTicks(-Anchor.Ticks));
        var k = (local - day.ToDateTime(Anchor)).Ticks / Every.Ticks;
        while (true)
        {
            if (k * Every.Ticks >= TimeSpan.TicksPerDay)
            {
                day = day.AddDays(1);
                k = 0;
            }
            // Wall-clock times map to instants in order, so the first one past `now` is the answer; only times in a
            // skipped or repeated hour, which share or reuse instants, can make this loop go round more than once.
            var next = ToInstant(day.ToDateTime(Anchor).AddTicks(k * Every.Ticks));
            if (next > now) return next;
            k++;
        }
    }

    private DateTimeOffset ToInstant(DateTime wallClock)
    {
        if (Zone.IsInvalidTime(wallClock))
        {
            var landing = wallClock.AddTicks(-(wallClock.Ticks % TimeSpan.TicksPerMinute));
            do landing = landing.AddMinutes(1);
            while (Zone.IsInvalidTime(landing));
            return new DateTimeOffset(landing, Zone.GetUtcOffset(landing));
        }
        // The larger offset is the earlier instant: the first pass through the repeated hour.
        if (Zone.IsAmbiguousTime(wallClock))
            return new DateTimeOffset(wallClock, Zone.GetAmbiguousTimeOffsets(wallClock).Max());
        return new DateTimeOffset(wallClock, Zone.GetUtcOffset(wallClock));
    }
}
