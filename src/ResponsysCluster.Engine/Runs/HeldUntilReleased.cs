namespace ResponsysCluster.Engine.Runs;

/// <summary>
/// Something a run takes on a task (its run lock, its SFTP session) and gives back when it is done with it or
/// stops: one that arrives after the release (the stop cancelled nothing in time) is given back at once rather than
/// kept until the process ends, since no message would reach the stopped run to say it is there.
/// </summary>
internal sealed class HeldUntilReleased
{
    private readonly Lock gate = new();
    private IAsyncDisposable? held;
    private bool released;

    public ValueTask HoldAsync(IAsyncDisposable resource)
    {
        lock (gate)
        {
            if (!released)
            {
                held = resource;
                return ValueTask.CompletedTask;
            }
        }
        return resource.DisposeAsync();
    }

    public ValueTask ReleaseAsync()
    {
        IAsyncDisposable? resource;
        lock (gate)
        {
            released = true;
            (resource, held) = (held, null);
        }
        return resource?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
