using Cronos;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Scheduling;

namespace ResponsysCluster.Engine.Scheduling;

/// <summary>
/// When a connection's next run is due, whatever its schedule. Interval and anchored schedules compute it
/// themselves; a cron schedule goes through Cronos, which runs a time the clocks skip when they land, and a
/// fixed time the clocks repeat once (an expression with steps or ranges in its time fields runs in both passes).
/// </summary>
public sealed class ScheduleClock
{
    // Any moment will do: cron has no year field, so an expression that fires at all fires after this one.
    private static readonly DateTimeOffset Reference = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly CronExpression? cron;

    /// <summary>Checks <paramref name="schedule"/> at once: a cron expression Cronos refuses is a <see cref="ConfigException"/> on <c>schedule</c>.</summary>
    public ScheduleClock(ReplicationSchedule schedule)
    {
        Schedule = schedule;
        cron = schedule is CronSchedule cronSchedule ? Parse(cronSchedule) : null;
    }

    public ReplicationSchedule Schedule { get; }

    /// <summary>
    /// The next run time after <paramref name="now"/>: for an interval, <paramref name="lastStart"/> plus the
    /// interval and never before now (now when there was no run); for an anchor or a cron expression, the first
    /// time strictly after now, with the schedule zone's offset, whatever <paramref name="lastStart"/>.
    /// </summary>
    public DateTimeOffset NextAfter(DateTimeOffset now, DateTimeOffset? lastStart) => Schedule switch
    {
        IntervalSchedule interval => interval.NextAfter(now, lastStart),
        AnchoredSchedule anchored => anchored.NextAfter(now, lastStart),
        CronSchedule cronSchedule => cron!.GetNextOccurrence(now, cronSchedule.Zone)
            ?? throw new InvalidOperationException($"Cron '{cronSchedule.Expression}' has no time after {now:O} within Cronos's range."),
        _ => throw new InvalidOperationException($"Unknown schedule {Schedule.GetType().Name}."),
    };

    private static CronExpression Parse(CronSchedule schedule)
    {
        CronExpression expression;
        try
        {
            expression = CronExpression.Parse(schedule.Expression, schedule.IncludesSeconds ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        // MissingSeedException: Cronos's jitter 'H' needs a seed, which a schedule does not give.
        catch (Exception ex) when (ex is CronFormatException or MissingSeedException or ArgumentException)
        {
            throw new ConfigException("schedule", $"cron '{schedule.Expression}' is not valid: {ex.Message}");
        }
        return expression.GetNextOccurrence(Reference, schedule.Zone) is null
            ? throw new ConfigException("schedule", $"cron '{schedule.Expression}' names no time that exists (e.g. 30 February)")
            : expression;
    }
}
