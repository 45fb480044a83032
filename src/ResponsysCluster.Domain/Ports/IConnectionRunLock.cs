namespace ResponsysCluster.Domain.Ports;

/// <summary>An attempt at a connection's run lock: the <see cref="Lease"/> that releases it, or who holds it.</summary>
public sealed record RunLockAttempt(IAsyncDisposable? Lease, string? HeldBy)
{
    public static RunLockAttempt Taken(IAsyncDisposable lease) => new(lease, null);

    public static RunLockAttempt Held(string heldBy) => new(null, heldBy);
}

/// <summary>
/// The port that keeps one run of a connection at a time, across processes and nodes: sharding keeps one
/// scheduler per connection, but not while a node that is being replaced still finishes its run, nor against a
/// <c>sync</c> started by hand. Fails with <see cref="DatabaseUnavailableException"/>.
/// </summary>
public interface IConnectionRunLock
{
    /// <summary>Takes the lock for one run, at once or not at all.</summary>
    Task<RunLockAttempt> TryTakeAsync(CancellationToken cancellationToken);
}
