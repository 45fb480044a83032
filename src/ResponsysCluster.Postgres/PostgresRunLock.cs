using Npgsql;
using ResponsysCluster.Domain.Ports;

namespace ResponsysCluster.Postgres;

/// <summary>A connection's run lock taken for one run among its node's <see cref="NodeRunLocks"/>; held by another run, it says who.</summary>
public sealed class PostgresRunLock(NodeRunLocks locks, NpgsqlDataSource dataSource, string connectionId) : IConnectionRunLock
{
    public Task<RunLockAttempt> TryTakeAsync(CancellationToken cancellationToken) => DatabaseErrors.TranslateAsync(async () =>
    {
        if (await locks.TryTakeAsync(connectionId, cancellationToken).ConfigureAwait(false))
            return RunLockAttempt.Taken(new Lease(locks, connectionId));
        return RunLockAttempt.Held(Describe(connectionId,
            await ConnectionRunLock.HolderAsync(dataSource, connectionId, cancellationToken).ConfigureAwait(false)));
    });

    /// <summary>Another run of the connection is in progress: who runs it and since when, as far as this database user can see.</summary>
    public static string Describe(string connectionId, ConnectionRunHolder? holder) => holder switch
    {
        null => $"another run of connection {connectionId} is in progress (in a session this database user cannot see)",
        { Since: { } since } => $"another run of connection {connectionId} is in progress: {holder.Description} since {since.ToUniversalTime():yyyy-MM-dd'T'HH:mm:ss'Z'}",
        _ => $"another run of connection {connectionId} is in progress: {holder.Description}",
    };

    private sealed class Lease(NodeRunLocks locks, string connectionId) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await locks.ReleaseAsync(connectionId).ConfigureAwait(false);
    }
}
