namespace ResponsysCluster.Domain.Scheduling;

/// <summary>What to do with a tick of the schedule (or a run asked for on demand).</summary>
public enum RunGateDecision
{
    StartNow,
    /// <summary>The previous run is still going: this tick is dropped, not queued, so runs never pile up.</summary>
    SkipBecauseRunning,
}

/// <summary>
/// Keeps one connection to one run at a time: a tick that comes while a run is still going does not start a
/// second one. Immutable; the scheduler keeps the latest gate.
/// </summary>
public sealed record RunGate
{
    public static RunGate Idle { get; } = new();

    /// <summary>When the run now going started; null when none is.</summary>
    public DateTimeOffset? RunningSince { get; private init; }

    /// <summary>When the latest run started, going or finished: the <c>lastStart</c> of the schedules' <c>NextAfter</c>.</summary>
    public DateTimeOffset? LastStart { get; private init; }

    public bool IsRunning => RunningSince is not null;

    /// <summary>Starts a run at <paramref name="now"/> unless one is going.</summary>
    public (RunGateDecision Decision, RunGate Gate) TryStart(DateTimeOffset now) =>
        IsRunning
            ? (RunGateDecision.SkipBecauseRunning, this)
            : (RunGateDecision.StartNow, this with { RunningSince = now, LastStart = now });

    /// <summary>
    /// A scheduler started again (moved to another node, or after a restart) learns when the connection's latest run
    /// started, so that its schedule counts from there rather than running at once. A run started since wins.
    /// </summary>
    public RunGate Resuming(DateTimeOffset? lastStart) => LastStart is null && lastStart is not null ? this with { LastStart = lastStart } : this;

    /// <summary>The run going has ended, however it ended.</summary>
    public RunGate Finish() =>
        IsRunning ? this with { RunningSince = null } : throw new InvalidOperationException("No run is going: a run finished twice or was never started.");
}
