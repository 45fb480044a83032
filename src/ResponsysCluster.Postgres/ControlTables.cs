using Npgsql;

namespace ResponsysCluster.Postgres;

/// <summary>
/// The product's own tables, in schema <c>responsys_cluster</c>: the ledger of loaded file versions, the names
/// Responsys tables and columns were given, the history of schema changes, and per run the extraction log and
/// the loading report. Their shape is versioned: <see cref="ControlTableMigrations"/> lists every change, and
/// <c>schema_version</c> records which ones a database has.
/// </summary>
/// <remarks>
/// A short list of our own rather than DbUp or Evolve: DbUp takes no lock, so two processes starting together
/// would both apply a migration (DbUp issue #358); Evolve locks with its own key and its own changelog table, so
/// a process of an earlier version, which takes lock 727274001 for its CREATE … IF NOT EXISTS, would not be
/// excluded. Here every migration and its version row go in one transaction under that same lock: all or nothing,
/// once, whatever mix of versions starts at once.
/// </remarks>
public static class ControlTables
{
    public const string Schema = "responsys_cluster";

    // Taken by every process that starts (several at once in a cluster): CREATE … IF NOT EXISTS is not safe
    // against itself, and a migration must be applied once.
    private const long MigrationLock = 727274001;

    /// <summary>Brings the control tables to the latest version; a database already there costs one query and no lock.</summary>
    public static Task EnsureAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken) =>
        EnsureAsync(dataSource, ControlTableMigrations.Latest, cancellationToken);

    /// <summary>Applies the migrations up to <paramref name="version"/> (tests build older databases with it).</summary>
    internal static async Task EnsureAsync(NpgsqlDataSource dataSource, int version, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (await VersionAsync(connection, null, cancellationToken).ConfigureAwait(false) >= version) return;

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLock})", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, $"""
            CREATE SCHEMA IF NOT EXISTS {Schema};
            CREATE TABLE IF NOT EXISTS {Schema}.schema_version (
                version int PRIMARY KEY,
                description text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """, cancellationToken).ConfigureAwait(false);
        // Read again under the lock: another process may have migrated while this one waited.
        var current = await VersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        foreach (var migration in ControlTableMigrations.All.Where(m => m.Version > current && m.Version <= version))
        {
            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken).ConfigureAwait(false);
            await using var record = new NpgsqlCommand($"INSERT INTO {Schema}.schema_version (version, description) VALUES (@v, @d)", connection, transaction);
            record.Parameters.AddWithValue("v", migration.Version);
            record.Parameters.AddWithValue("d", migration.Description);
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The version a database's control tables are at: 0 when there is no <c>schema_version</c> yet.</summary>
    public static async Task<int> VersionAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await VersionAsync(connection, null, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> VersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT coalesce(max(version), 0) FROM {Schema}.schema_version", connection, transaction);
        try
        {
            return (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable && transaction is null)
        {
            // A database from before versioning, or an empty one. Only asked outside a transaction: the error would end it.
            return 0;
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
