namespace ResponsysCluster.Domain.Scheduling;

/// <summary>A run <see cref="Every"/> after the previous one started; the first run as soon as possible.</summary>
public sealed record IntervalSchedule(TimeSpan Every) : ReplicationSchedule
{
    public static readonly TimeSpan MaximumEvery = TimeSpan.FromDays(365);

    public TimeSpan Every { get; } = CheckEvery(Every, MaximumEvery);

    /// <summary>
    /// <paramref name="lastStart"/> + <see cref="Every"/>, or <paramref name="now"/> when there was no run yet or
    /// that moment has passed (a run missed while the connection was down starts at once, once). Never before now.
    /// </summary>
    public DateTimeOffset NextAfter(DateTimeOffset now, DateTimeOffset? lastStart) =>
        lastStart is { } last && last + Every > now ? last + Every : now;
}
