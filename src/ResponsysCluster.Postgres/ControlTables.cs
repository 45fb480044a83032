using Npgsql;

namespace ResponsysCluster.Postgres;

/// <summary>
/// The product's own tables, in schema <c>responsys_cluster</c>: the ledger of loaded file versions, the names
/// Responsys tables and columns were given, the history of schema changes, and per run the extraction log and
/// the loading report.
/// </summary>
public static class ControlTables
{
    public const string Schema = "responsys_cluster";

    private const string Ddl = $"""
        CREATE SCHEMA IF NOT EXISTS {Schema};
        CREATE TABLE IF NOT EXISTS {Schema}.file_ledger (
            connection_id text NOT NULL,
            responsys_table text NOT NULL,
            path text NOT NULL,
            modified timestamptz NOT NULL,
            size bigint NOT NULL,
            rows_loaded bigint NOT NULL,
            rows_replaced bigint NOT NULL,
            loaded_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (connection_id, responsys_table, path, modified, size));
        CREATE TABLE IF NOT EXISTS {Schema}.table_names (
            connection_id text NOT NULL,
            responsys_table text NOT NULL,
            target_schema text NOT NULL,
            target_table text NOT NULL,
            PRIMARY KEY (connection_id, responsys_table),
            UNIQUE (target_schema, target_table));
        CREATE TABLE IF NOT EXISTS {Schema}.column_names (
            connection_id text NOT NULL,
            responsys_table text NOT NULL,
            responsys_column text NOT NULL,
            target_column text NOT NULL,
            PRIMARY KEY (connection_id, responsys_table, responsys_column),
            UNIQUE (connection_id, responsys_table, target_column));
        CREATE TABLE IF NOT EXISTS {Schema}.schema_history (
            id bigserial PRIMARY KEY,
            connection_id text NOT NULL,
            target_schema text NOT NULL,
            target_table text NOT NULL,
            target_column text,
            change text NOT NULL,
            old_type text,
            new_type text,
            reason text NOT NULL,
            changed_at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE IF NOT EXISTS {Schema}.extraction_log (
            id bigserial PRIMARY KEY,
            run_id uuid NOT NULL,
            connection_id text NOT NULL,
            at timestamptz NOT NULL DEFAULT clock_timestamp(),
            step text NOT NULL,
            responsys_table text,
            path text,
            message text NOT NULL);
        CREATE INDEX IF NOT EXISTS extraction_log_run ON {Schema}.extraction_log (run_id, id);
        CREATE TABLE IF NOT EXISTS {Schema}.load_reports (
            run_id uuid NOT NULL,
            connection_id text NOT NULL,
            responsys_table text NOT NULL,
            started_at timestamptz NOT NULL,
            files_loaded int NOT NULL,
            files_skipped int NOT NULL,
            files_failed int NOT NULL,
            files_waiting int NOT NULL,
            files_abandoned int NOT NULL,
            rows_loaded bigint NOT NULL,
            rows_replaced bigint NOT NULL,
            bytes bigint NOT NULL,
            seconds double precision NOT NULL,
            errors text[] NOT NULL,
            PRIMARY KEY (run_id, responsys_table));
        """;

    public static async Task EnsureAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Several loaders may start at once: CREATE … IF NOT EXISTS is not safe against itself without a lock.
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(727274001)", connection, transaction))
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand(Ddl, connection, transaction))
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
