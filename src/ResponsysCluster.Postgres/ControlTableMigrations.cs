namespace ResponsysCluster.Postgres;

/// <summary>One numbered change to the control tables: applied once per database, in order, never edited once released.</summary>
public sealed record ControlTableMigration(int Version, string Description, string Sql);

/// <summary>
/// The control tables' history, oldest first. Append new migrations at the end with the next number; a released
/// migration is never changed, since databases that applied it will not run it again.
/// </summary>
public static class ControlTableMigrations
{
    private const string Schema = ControlTables.Schema;

    // IF NOT EXISTS everywhere: databases created before versioning already have these tables and record version 1
    // without a change.
    private const string Initial = $"""
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

    public static IReadOnlyList<ControlTableMigration> All { get; } =
    [
        new(1, "control tables: file_ledger, table_names, column_names, schema_history, extraction_log, load_reports", Initial),
        // A table's schema history is read per table (a table's changes, newest first); the id alone made that a scan
        // of every connection's history.
        new(2, "schema_history indexed by table",
            $"CREATE INDEX IF NOT EXISTS schema_history_table ON {Schema}.schema_history (connection_id, target_schema, target_table, id)"),
        // Columns that a PostgreSQL row cannot hold as columns of their own live as keys of the table's _sdc_overflow.
        new(3, "column_names.in_overflow",
            $"ALTER TABLE {Schema}.column_names ADD COLUMN IF NOT EXISTS in_overflow boolean NOT NULL DEFAULT false"),
        // Which node (or command) loaded each file version: with several nodes, the one to read the log of. Null for
        // versions loaded before it was recorded.
        new(4, "file_ledger.loaded_by",
            $"ALTER TABLE {Schema}.file_ledger ADD COLUMN IF NOT EXISTS loaded_by text"),
        // Which node wrote each step of a run's extraction log; null for steps written before it was recorded.
        new(5, "extraction_log.node",
            $"ALTER TABLE {Schema}.extraction_log ADD COLUMN IF NOT EXISTS node text"),
        new(6, "extraction_log index by connection (a scheduler's last run start)",
            $"CREATE INDEX IF NOT EXISTS extraction_log_connection ON {Schema}.extraction_log (connection_id, id)"),
        // Each run's status, opened by its first step and ended with its report, for the management API.
        new(7, "runs", $"""
            CREATE TABLE IF NOT EXISTS {Schema}.runs (
                run_id uuid PRIMARY KEY,
                connection_id text NOT NULL,
                node text,
                started_at timestamptz NOT NULL,
                ended_at timestamptz,
                status text NOT NULL,
                errors text[] NOT NULL DEFAULT ARRAY[]::text[]);
            CREATE INDEX IF NOT EXISTS runs_connection ON {Schema}.runs (connection_id, started_at DESC);
            """),
    ];

    public static int Latest => All[^1].Version;
}
