using System.Collections.Concurrent;
using Npgsql;
using ResponsysCluster.Domain.Naming;
using ResponsysCluster.Domain.Schema;
using static ResponsysCluster.Domain.Naming.PostgresIdentifier;

namespace ResponsysCluster.Postgres;

/// <summary>
/// Creates and evolves the target tables: one per Responsys table, columns added as new headers appear and
/// widened when a value does not fit, every change recorded in <c>schema_history</c>. Names are folded into
/// safe identifiers once and kept in the control tables, so they stay stable across runs.
/// </summary>
public sealed class TargetTables(NpgsqlDataSource dataSource, string connectionId, string targetSchema)
{
    private const string SourceFile = Domain.Schema.SystemColumns.SourceFile;
    private const string SourceLineNumber = Domain.Schema.SystemColumns.SourceLineNumber;
    private const string Extra = Domain.Schema.SystemColumns.Extra;
    private const string ExtractedAt = Domain.Schema.SystemColumns.ExtractedAt;
    private const string BatchedAt = Domain.Schema.SystemColumns.BatchedAt;
    private const string Overflow = Domain.Schema.SystemColumns.Overflow;

    private static readonly string[] SystemColumnNames = [SourceFile, SourceLineNumber, Extra, ExtractedAt, BatchedAt, Overflow];

    // Tables this instance has made sure of, as they were then: columns are only ever added or widened, so a table
    // known to have every column asked for needs no round trip. The load reads the current types under its own lock.
    private readonly ConcurrentDictionary<string, TargetTable> ensured = new(StringComparer.Ordinal);

    /// <summary>
    /// Makes sure the table exists with at least <paramref name="columns"/>; returns it as it is now, or as this instance
    /// last saw it when that already had every one of <paramref name="columns"/> (types may have widened since).
    /// </summary>
    public async Task<TargetTable> EnsureAsync(string responsysTable, IReadOnlyList<Column> columns, CancellationToken cancellationToken)
    {
        if (Knows(responsysTable, columns)) return ensured[responsysTable];
        var table = await EnsureInDatabaseAsync(responsysTable, columns, cancellationToken).ConfigureAwait(false);
        ensured[responsysTable] = table;
        return table;
    }

    /// <summary>Whether this instance knows the table to have every one of <paramref name="columns"/> (making sure would need no change).</summary>
    public bool Knows(string responsysTable, IReadOnlyList<Column> columns) =>
        ensured.TryGetValue(responsysTable, out var known) && columns.All(c => known.Columns.ContainsKey(c.Name));

    private async Task<TargetTable> EnsureInDatabaseAsync(string responsysTable, IReadOnlyList<Column> columns, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(hashtext(@s))", cancellationToken, ("s", connectionId + "/" + targetSchema));
        await ExecuteAsync(connection, transaction, $"CREATE SCHEMA IF NOT EXISTS {Quote(targetSchema)}", cancellationToken);

        var table = await TableNameAsync(connection, transaction, responsysTable, cancellationToken);
        var qualified = Quote(targetSchema) + "." + Quote(table);
        if (await ScalarAsync(connection, transaction, "SELECT to_regclass(@q) IS NULL", cancellationToken, ("q", qualified)) is true)
        {
            // No primary key: the ledger row written in the load's transaction already makes each file version land
            // once, and a unique index on (file, line) halved the COPY rate. A BRIN index on the file serves the
            // delete of a re-exported file's earlier rows: a file's rows are copied together, so they fill
            // neighbouring pages, and BRIN costs next to nothing per row.
            await ExecuteAsync(connection, transaction, $"""
                CREATE TABLE {qualified} (
                    {Quote(SourceFile)} text NOT NULL,
                    {Quote(SourceLineNumber)} bigint NOT NULL,
                    {Quote(Extra)} jsonb,
                    {Quote(ExtractedAt)} timestamptz NOT NULL,
                    {Quote(BatchedAt)} timestamptz NOT NULL)
                """, cancellationToken);
            await ExecuteAsync(connection, transaction,
                $"CREATE INDEX ON {qualified} USING brin ({Quote(SourceFile)}) WITH (autosummarize = on)", cancellationToken);
            await ExecuteAsync(connection, transaction, $"COMMENT ON TABLE {qualified} IS {Literal("Responsys table " + responsysTable)}", cancellationToken);
        }

        var names = await ColumnNamesAsync(connection, transaction, responsysTable, cancellationToken);
        var newColumns = columns.Where(c => !names.ContainsKey(c.Name)).ToList();
        var types = await ColumnTypesAsync(connection, transaction, table, cancellationToken);
        // Columns a row could not always hold go into the overflow object (RowBudget says why), in header order.
        var budget = new RowBudget(names.Values.Where(n => !n.InOverflow).Select(n => ColumnOf(n.Target, types).Type));
        var typed = new List<Column>();
        var overflow = new List<Column>();
        foreach (var column in newColumns) (budget.TryTake(column.Type) ? typed : overflow).Add(column);

        var identifiers = Unique(typed.Select(c => c.Name), names.Values.Select(n => n.Target).Concat(SystemColumnNames));
        for (var i = 0; i < typed.Count; i++)
        {
            var (column, identifier) = (typed[i], identifiers[i]);
            await ExecuteAsync(connection, transaction,
                $"ALTER TABLE {qualified} ADD COLUMN IF NOT EXISTS {Quote(identifier)} {PgColumnTypes.Sql(column.Type)}", cancellationToken);
            await ExecuteAsync(connection, transaction,
                $"COMMENT ON COLUMN {qualified}.{Quote(identifier)} IS {Literal("Responsys column " + column.Name)}", cancellationToken);
            await NameColumnAsync(connection, transaction, responsysTable, column.Name, identifier, inOverflow: false, cancellationToken);
            await HistoryAsync(connection, transaction, table, identifier, "add column", null, PgColumnTypes.Sql(column.Type),
                $"column {column.Name} first seen", cancellationToken);
            names[column.Name] = (identifier, false);
        }
        if (overflow.Count > 0)
        {
            await ExecuteAsync(connection, transaction, $"ALTER TABLE {qualified} ADD COLUMN IF NOT EXISTS {Quote(Overflow)} jsonb", cancellationToken);
            foreach (var column in overflow)
            {
                // The key's own name as target, so that column_names stays one row per column and unique.
                var key = Overflow + "." + column.Name;
                await NameColumnAsync(connection, transaction, responsysTable, column.Name, key, inOverflow: true, cancellationToken);
                await HistoryAsync(connection, transaction, table, key, "add column", null, "jsonb key",
                    $"column {column.Name} first seen; kept in {Overflow}: a PostgreSQL row cannot always hold it beside the table's other columns",
                    cancellationToken);
                names[column.Name] = (key, true);
            }
            types = await ColumnTypesAsync(connection, transaction, table, cancellationToken);
        }
        else if (typed.Count > 0) types = await ColumnTypesAsync(connection, transaction, table, cancellationToken);

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new TargetTable(targetSchema, table, names.ToDictionary(n => n.Key,
            n => n.Value.InOverflow ? new TargetColumn(n.Key, ColumnType.String, InOverflow: true) : ColumnOf(n.Value.Target, types)));
    }

    private Task NameColumnAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string responsysTable, string responsysColumn,
        string target, bool inOverflow, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction, $"""
            INSERT INTO {ControlTables.Schema}.column_names (connection_id, responsys_table, responsys_column, target_column, in_overflow)
            VALUES (@c, @t, @rc, @tc, @o)
            """, cancellationToken, ("c", connectionId), ("t", responsysTable), ("rc", responsysColumn), ("tc", target), ("o", inOverflow));

    /// <summary>
    /// Widens a column so that values like <paramref name="example"/> fit, in a transaction of its own; recorded in
    /// the schema history. A column another loader has widened enough meanwhile is left as it is.
    /// </summary>
    public async Task WidenAsync(TargetTable table, string responsysColumn, ColumnType to, string example, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // The lock first, then the type: a widening committed by another loader while this one waited is seen.
        await ExecuteAsync(connection, transaction, $"LOCK TABLE {table.QualifiedName} IN ACCESS EXCLUSIVE MODE", cancellationToken);
        var current = await WithCurrentTypesAsync(connection, transaction, table, cancellationToken);
        await WidenAsync(connection, transaction, current, [(responsysColumn, to, example)], cancellationToken);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Widens columns inside <paramref name="transaction"/>, in one ALTER TABLE (one rewrite of the table however
    /// many columns), each with its schema history row: all stay only if the transaction commits. A column already
    /// at least as wide as asked is left as it is.
    /// </summary>
    internal async Task WidenAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, TargetTable table,
        IReadOnlyList<(string ResponsysColumn, ColumnType To, string Example)> widenings, CancellationToken cancellationToken)
    {
        var changes = widenings
            .Select(w => (w.ResponsysColumn, Column: table.Columns[w.ResponsysColumn], Wider: ColumnWidening.Wider(table.Columns[w.ResponsysColumn].Type, w.To), w.Example))
            .Where(w => w.Wider != w.Column.Type)
            .ToList();
        if (changes.Count == 0) return;
        await ExecuteAsync(connection, transaction, $"ALTER TABLE {table.QualifiedName} " + string.Join(", ", changes.Select(c =>
            $"ALTER COLUMN {Quote(c.Column.Name)} TYPE {PgColumnTypes.Sql(c.Wider)} USING {CanonicalText.Cast(Quote(c.Column.Name), c.Column.Type, c.Wider)}")),
            cancellationToken);
        foreach (var (responsysColumn, column, wider, example) in changes)
        {
            var shown = example.Length > 100 ? example[..100] + "…" : example;
            await HistoryAsync(connection, transaction, table.Table, column.Name, "widen column", PgColumnTypes.Sql(column.Type), PgColumnTypes.Sql(wider),
                $"value '{shown}' of column {responsysColumn} does not fit {PgColumnTypes.Sql(column.Type)}", cancellationToken);
        }
    }

    /// <summary>
    /// <paramref name="table"/> with its columns' types as they are now, read in <paramref name="transaction"/>: the
    /// caller holds a lock on the table, so no other loader changes them until it commits.
    /// </summary>
    internal async Task<TargetTable> WithCurrentTypesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, TargetTable table,
        CancellationToken cancellationToken)
    {
        var types = await ColumnTypesAsync(connection, transaction, table.Table, cancellationToken);
        return table with { Columns = table.Columns.ToDictionary(c => c.Key, c => c.Value.InOverflow ? c.Value : ColumnOf(c.Value.Name, types)) };
    }

    /// <summary>The Responsys names of the columns <paramref name="responsysTable"/> has; empty when it has none or does not exist yet.</summary>
    public async Task<IReadOnlySet<string>> ColumnsOfAsync(string responsysTable, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT responsys_column FROM {ControlTables.Schema}.column_names WHERE connection_id = @c AND responsys_table = @t");
        command.Parameters.AddWithValue("c", connectionId);
        command.Parameters.AddWithValue("t", responsysTable);
        var names = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) names.Add(reader.GetString(0));
        return names;
    }

    private async Task<string> TableNameAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string responsysTable, CancellationToken cancellationToken)
    {
        await using (var find = new NpgsqlCommand(
            $"SELECT target_table FROM {ControlTables.Schema}.table_names WHERE connection_id = @c AND responsys_table = @t", connection, transaction))
        {
            find.Parameters.AddWithValue("c", connectionId);
            find.Parameters.AddWithValue("t", responsysTable);
            if (await find.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string existing) return existing;
        }

        var taken = new List<string>();
        await using (var list = new NpgsqlCommand(
            $"SELECT target_table FROM {ControlTables.Schema}.table_names WHERE target_schema = @s", connection, transaction))
        {
            list.Parameters.AddWithValue("s", targetSchema);
            await using var reader = await list.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) taken.Add(reader.GetString(0));
        }

        var name = Unique([responsysTable], taken)[0];
        await ExecuteAsync(connection, transaction, $"""
            INSERT INTO {ControlTables.Schema}.table_names (connection_id, responsys_table, target_schema, target_table)
            VALUES (@c, @t, @s, @n)
            """, cancellationToken, ("c", connectionId), ("t", responsysTable), ("s", targetSchema), ("n", name));
        return name;
    }

    private async Task<Dictionary<string, (string Target, bool InOverflow)>> ColumnNamesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        string responsysTable, CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, (string, bool)>(StringComparer.Ordinal);
        await using var command = new NpgsqlCommand(
            $"SELECT responsys_column, target_column, in_overflow FROM {ControlTables.Schema}.column_names WHERE connection_id = @c AND responsys_table = @t",
            connection, transaction);
        command.Parameters.AddWithValue("c", connectionId);
        command.Parameters.AddWithValue("t", responsysTable);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) names[reader.GetString(0)] = (reader.GetString(1), reader.GetBoolean(2));
        return names;
    }

    private static TargetColumn ColumnOf(string name, Dictionary<string, (ColumnType Type, ColumnType? WidenedFrom)> types) =>
        types.TryGetValue(name, out var type) ? new TargetColumn(name, type.Type, type.WidenedFrom) : new TargetColumn(name, ColumnType.String);

    /// <summary>Each column's type and, for a text column widened from a typed one, that type (from the schema history).</summary>
    private async Task<Dictionary<string, (ColumnType Type, ColumnType? WidenedFrom)>> ColumnTypesAsync(NpgsqlConnection connection,
        NpgsqlTransaction transaction, string table, CancellationToken cancellationToken)
    {
        var types = new Dictionary<string, (ColumnType, ColumnType?)>(StringComparer.Ordinal);
        await using var command = new NpgsqlCommand($"""
            SELECT a.attname, format_type(a.atttypid, NULL),
                   (SELECT h.old_type FROM {ControlTables.Schema}.schema_history h
                    WHERE h.connection_id = @c AND h.target_schema = @s AND h.target_table = @t AND h.target_column = a.attname
                      AND h.change = 'widen column' AND h.new_type = 'text'
                    ORDER BY h.id DESC LIMIT 1)
            FROM pg_attribute a WHERE a.attrelid = to_regclass(@q) AND a.attnum > 0 AND NOT a.attisdropped
            """, connection, transaction);
        // pg_attribute rather than information_schema.columns: the view costs milliseconds per call on a database
        // with many tables, and this runs for every file.
        command.Parameters.AddWithValue("c", connectionId);
        command.Parameters.AddWithValue("s", targetSchema);
        command.Parameters.AddWithValue("t", table);
        command.Parameters.AddWithValue("q", Quote(targetSchema) + "." + Quote(table));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (PgColumnTypes.FromInformationSchema(reader.GetString(1)) is not { } type) continue;
            var widenedFrom = type == ColumnType.String && !reader.IsDBNull(2) ? PgColumnTypes.FromSql(reader.GetString(2)) : null;
            types[reader.GetString(0)] = (type, widenedFrom);
        }
        return types;
    }

    private Task HistoryAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string table, string? column, string change,
        string? oldType, string? newType, string reason, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction, $"""
            INSERT INTO {ControlTables.Schema}.schema_history (connection_id, target_schema, target_table, target_column, change, old_type, new_type, reason)
            VALUES (@c, @s, @t, @col, @change, @old, @new, @reason)
            """, cancellationToken, ("c", connectionId), ("s", targetSchema), ("t", table), ("col", column), ("change", change),
            ("old", oldType), ("new", newType), ("reason", reason));

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // COMMENT takes no parameters: a string literal, with quotes doubled (standard_conforming_strings is on).
    private static string Literal(string text) => "'" + text.Replace("'", "''") + "'";
}
