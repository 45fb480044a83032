using Npgsql;
using ResponsysCluster.Domain.Ports;

namespace ResponsysCluster.Postgres;

/// <summary>A connection's <see cref="ConnectionRunLock"/> taken for one run; held by another process, it says who and since when.</summary>
public sealed class PostgresRunLock(string postgres, NpgsqlDataSource dataSource, string connectionId, string command) : IConnectionRunLock
{
    public Task<RunLockAttempt> TryTakeAsync(CancellationToken cancellationToken) => DatabaseErrors.TranslateAsync(async () =>
    {
        if (await ConnectionRunLock.TryAcquireAsync(postgres, connectionId, command, cancellationToken).ConfigureAwait(false) is { } taken)
            return RunLockAttempt.Taken(taken);
        return RunLockAttempt.Held(Describe(connectionId,
            await ConnectionRunLock.HolderAsync(dataSource, connectionId, cancellationToken).ConfigureAwait(false)));
    });

    /// <summary>Another run of the connection is in progress: who runs it and since when, as far as this database user can see.</summary>
    public static string Describe(string connectionId, ConnectionRunHolder? holder) => holder is null
        ? $"another run of connection {connectionId} is in progress (in a session this database user cannot see)"
        : $"another run of connection {connectionId} is in progress: {holder.Description} since {holder.Since.ToUniversalTime():yyyy-MM-dd'T'HH:mm:ss'Z'}";
}
