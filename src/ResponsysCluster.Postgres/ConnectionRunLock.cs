using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace ResponsysCluster.Postgres;

/// <summary>
/// Who holds a connection's run lock: the command, host and process, and since when; a node holds all its runs'
/// locks on one session, whose start says nothing of the run's, so it has no since.
/// </summary>
public sealed record ConnectionRunHolder(string Description, DateTimeOffset? Since);

/// <summary>
/// One process at a time runs a connection: two would replay and write the same bookmarks in the journal, and the
/// second would end in a time-out. The lock is a PostgreSQL session advisory lock on a connection of its own, held
/// while the process runs the connection: a process that dies releases it with its connection, so it never goes
/// stale. The holder names itself in the connection's <c>application_name</c>, and its session start is when it
/// took the lock, so another process can say who holds it and since when without a table of our own.
/// </summary>
public sealed class ConnectionRunLock : IAsyncDisposable
{
    /// <summary>The first key of every run lock (the second is <see cref="KeyOf"/> the connection id).</summary>
    public const int LockClass = 727274002;

    private const string ApplicationPrefix = "responsys-cluster ";
    // A node names every session it opens responsys-cluster:<node name>; its lock session keeps that name.
    private const string NodePrefix = "responsys-cluster:";

    private readonly NpgsqlConnection connection;

    private ConnectionRunLock(NpgsqlConnection connection) => this.connection = connection;

    /// <summary>The lock's second key: a stable, non-negative hash of the connection id.</summary>
    public static int KeyOf(string connectionId) =>
        BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes(connectionId)), 0) & int.MaxValue;

    /// <summary>Takes the connection's lock, or null at once when another process holds it.</summary>
    public static async Task<ConnectionRunLock?> TryAcquireAsync(string postgres, string connectionId, string command, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(postgres, command, cancellationToken).ConfigureAwait(false);
        try
        {
            await using var sql = LockCommand(connection, "pg_try_advisory_lock", connectionId);
            if ((bool)(await sql.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!) return new ConnectionRunLock(connection);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        await connection.DisposeAsync().ConfigureAwait(false);
        return null;
    }

    /// <summary>Takes the connection's lock, waiting in PostgreSQL for as long as another process holds it.</summary>
    public static async Task<ConnectionRunLock> AcquireAsync(string postgres, string connectionId, string command, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(postgres, command, cancellationToken).ConfigureAwait(false);
        try
        {
            await using var sql = LockCommand(connection, "pg_advisory_lock", connectionId);
            sql.CommandTimeout = 0; // as long as the other run takes
            await sql.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return new ConnectionRunLock(connection);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Who holds the connection's lock now; null when nobody does (or PostgreSQL does not let this role see it).</summary>
    public static async Task<ConnectionRunHolder?> HolderAsync(NpgsqlDataSource dataSource, string connectionId, CancellationToken cancellationToken)
    {
        await using var sql = dataSource.CreateCommand("""
            SELECT a.application_name, a.backend_start
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = @class AND l.objid::bigint = @key AND l.objsubid = 2
            """);
        sql.Parameters.AddWithValue("class", (long)LockClass);
        sql.Parameters.AddWithValue("key", (long)KeyOf(connectionId));
        await using var reader = await sql.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        var name = reader.IsDBNull(0) ? "" : reader.GetString(0);
        if (name.StartsWith(NodePrefix, StringComparison.Ordinal)) return new ConnectionRunHolder($"node {name[NodePrefix.Length..]}", null);
        var description = name.StartsWith(ApplicationPrefix, StringComparison.Ordinal) ? name[ApplicationPrefix.Length..] : "a process of another program";
        return new ConnectionRunHolder(description, reader.IsDBNull(1) ? default : reader.GetFieldValue<DateTimeOffset>(1));
    }

    /// <summary>
    /// Releases the lock, then closes its connection. Closing alone would release it too, but only once the server
    /// has ended the session, a moment later: a run started right after could still find it held.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", connection);
            await unlock.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // The connection is gone: the server released the lock with the session.
        }
        await connection.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task<NpgsqlConnection> OpenAsync(string postgres, string command, CancellationToken cancellationToken)
    {
        // Not pooled: a pooled connection would keep the session, and the lock with it, after it is given back.
        var builder = new NpgsqlConnectionStringBuilder(postgres) { Pooling = false };
        if (builder.ApplicationName?.StartsWith(NodePrefix, StringComparison.Ordinal) != true)
            builder.ApplicationName = Truncate($"{ApplicationPrefix}{command} on {Environment.MachineName} (pid {Environment.ProcessId})", 63);
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    private static NpgsqlCommand LockCommand(NpgsqlConnection connection, string function, string connectionId)
    {
        var sql = new NpgsqlCommand($"SELECT {function}(@class, @key)", connection);
        sql.Parameters.AddWithValue("class", LockClass);
        sql.Parameters.AddWithValue("key", KeyOf(connectionId));
        return sql;
    }

    // PostgreSQL keeps 63 bytes of application_name; names are ASCII here but for the host, cut on a character.
    private static string Truncate(string text, int bytes)
    {
        while (Encoding.UTF8.GetByteCount(text) > bytes) text = text[..^1];
        return text;
    }
}
