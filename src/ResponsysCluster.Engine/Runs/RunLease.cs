namespace ResponsysCluster.Engine.Runs;

/// <summary>
/// The run lock a run holds, taken on a task and released when the run stops: a lease that arrives after the run
/// stopped (its stop cancelled nothing in time) is released at once rather than kept until the process ends.
/// </summary>
internal sealed class RunLease
{
    private readonly Lock gate = new();
    private IAsyncDisposable? held;
    private bool released;

    public ValueTask HoldAsync(IAsyncDisposable lease)
    {
        lock (gate)
        {
            if (!released)
            {
                held = lease;
                return ValueTask.CompletedTask;
            }
        }
        return lease.DisposeAsync();
    }

    public ValueTask ReleaseAsync()
    {
        IAsyncDisposable? lease;
        lock (gate)
        {
            released = true;
            (lease, held) = (held, null);
        }
        return lease?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
