using System.Data;
using Npgsql;

namespace ResponsysCluster.Postgres;

/// <summary>
/// The run locks of one node, all held on one PostgreSQL session of its own (the same advisory locks as
/// <see cref="ConnectionRunLock"/>, so a node's run and a <c>sync</c> exclude each other): a session per run would
/// make the database's sessions grow with the number of connections running. A node that dies releases them all with
/// its session. Should the session break while the node lives, the next use opens another and takes the locks still
/// held again (one another process took meanwhile is dropped, and that run goes on unguarded).
/// </summary>
public sealed class NodeRunLocks(string postgres) : IAsyncDisposable, IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly HashSet<int> held = [];
    private NpgsqlConnection? session;

    /// <summary>Takes the connection's lock: true when taken, false when another run holds it (on this node or elsewhere).</summary>
    public async Task<bool> TryTakeAsync(string connectionId, CancellationToken cancellationToken)
    {
        var key = ConnectionRunLock.KeyOf(connectionId);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (held.Contains(key)) return false;
            bool taken;
            try
            {
                taken = await TryLockAsync(await SessionAsync(cancellationToken).ConfigureAwait(false), key, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException && session is not null)
            {
                // The kept session broke: once more on a new one.
                await CloseAsync().ConfigureAwait(false);
                taken = await TryLockAsync(await SessionAsync(cancellationToken).ConfigureAwait(false), key, cancellationToken).ConfigureAwait(false);
            }
            if (taken) held.Add(key);
            return taken;
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task ReleaseAsync(string connectionId)
    {
        var key = ConnectionRunLock.KeyOf(connectionId);
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!held.Remove(key) || session is null) return;
            await using var unlock = LockCommand(session, "pg_advisory_unlock", key);
            await unlock.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // The session is gone, and the lock with it.
            await CloseAsync().ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await gate.WaitAsync().ConfigureAwait(false);
        held.Clear();
        await CloseAsync().ConfigureAwait(false);
        gate.Release();
    }

    // A host's service provider is disposed synchronously.
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The kept session, opened (and given back the locks still held) when there is none.</summary>
    private async Task<NpgsqlConnection> SessionAsync(CancellationToken cancellationToken)
    {
        if (session is { State: ConnectionState.Open }) return session;
        await CloseAsync().ConfigureAwait(false);
        // Not pooled: the session must end with the node, and its locks with it.
        var opened = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(postgres) { Pooling = false }.ConnectionString);
        await opened.OpenAsync(cancellationToken).ConfigureAwait(false);
        foreach (var key in held.ToList())
            if (!await TryLockAsync(opened, key, cancellationToken).ConfigureAwait(false)) held.Remove(key);
        return session = opened;
    }

    private async Task CloseAsync()
    {
        if (session is null) return;
        await session.DisposeAsync().ConfigureAwait(false);
        session = null;
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, int key, CancellationToken cancellationToken)
    {
        await using var take = LockCommand(connection, "pg_try_advisory_lock", key);
        return (bool)(await take.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static NpgsqlCommand LockCommand(NpgsqlConnection connection, string function, int key)
    {
        var sql = new NpgsqlCommand($"SELECT {function}(@class, @key)", connection);
        sql.Parameters.AddWithValue("class", ConnectionRunLock.LockClass);
        sql.Parameters.AddWithValue("key", key);
        return sql;
    }
}
