namespace ResponsysCluster.Domain.Scheduling;

/// <summary>
/// When a connection replicates on its own: every so often (<see cref="IntervalSchedule"/>), at a time of day and
/// every so often after it (<see cref="AnchoredSchedule"/>), or by a cron expression (<see cref="CronSchedule"/>).
/// A connection without one runs only on demand. An interval may be as short as a second (tests and demos use "5s");
/// a cron expression fires at most once a minute.
/// </summary>
public abstract record ReplicationSchedule
{
    public static readonly TimeSpan MinimumEvery = TimeSpan.FromSeconds(1);

    // The set of schedules is closed: the engine switches over these three.
    private protected ReplicationSchedule()
    {
    }

    private protected static TimeSpan CheckEvery(TimeSpan every, TimeSpan maximum) =>
        every >= MinimumEvery && every <= maximum
            ? every
            : throw new ArgumentOutOfRangeException(nameof(every), every, $"must be between {MinimumEvery} and {maximum}");
}
