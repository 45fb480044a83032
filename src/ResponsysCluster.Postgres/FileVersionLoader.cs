using System.Text.Json;
using Npgsql;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Ports;
using ResponsysCluster.Domain.Schema;
using ResponsysCluster.Postgres.Copy;
using static ResponsysCluster.Domain.Naming.PostgresIdentifier;

namespace ResponsysCluster.Postgres;

/// <summary>
/// Loads one file version exactly once, in one transaction: skip it if the ledger has it, delete the rows an
/// earlier version of the same path loaded (when the ledger has one), binary-COPY the new rows, check the ready file's record count
/// (rolling back on a mismatch) and write the ledger row. A value that does not fit its column widens the
/// column inside the same transaction and the copy goes on from that row, without reading the file again.
/// </summary>
public sealed class FileVersionLoader(NpgsqlDataSource dataSource, TargetTables tables, string connectionId, CsvFormat format, TimeZoneInfo wallClockZone,
    string? loadedBy = null)
{
    // PostgreSQL text cannot hold a NUL: the reader fails the file naming where it is, before COPY refuses it nameless.
    private readonly CsvFormat readFormat = format with { RejectNul = true };

    private const int MaxWidenings = 64;

    /// <summary>Rows between two progress reports.</summary>
    public const int ProgressEvery = 50_000;

    /// <summary>Records read to infer the types of header columns the table does not have yet.</summary>
    public const int DefaultSampleRows = 1000;

    /// <summary>
    /// Loads <paramref name="load"/>, opening the file with <paramref name="open"/>; <paramref name="rowsCopied"/>
    /// hears the rows copied so far every <see cref="ProgressEvery"/> rows. A version already in the ledger costs one
    /// query and is not opened. When the header names columns the table lacks and <see cref="FileVersionLoad.InferredColumns"/>
    /// gives no type for them, their types are inferred from the first <paramref name="sampleRows"/> records (the
    /// file is opened a second time for that).
    /// </summary>
    public async Task<FileVersionLoaded> LoadAsync(FileVersionLoad load, Func<CancellationToken, Task<Stream>> open, CancellationToken cancellationToken,
        Action<long>? rowsCopied = null, int sampleRows = DefaultSampleRows, Func<CancellationToken, Task>? beforeCommit = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRows);
        if (await LoadedRowsAsync(load.Table, load.Version, cancellationToken).ConfigureAwait(false) is { } already)
            return new FileVersionLoaded(true, already, 0, []);

        // Widenings committed on their own, when another loader of the table was widening at the same moment.
        var committedWidenings = new List<string>();
        for (var attempt = 0; ; attempt++)
        {
            var outcome = await TryLoadAsync(load, open, rowsCopied, sampleRows, committedWidenings.Count, beforeCommit, cancellationToken).ConfigureAwait(false);
            if (outcome.Loaded is { } loaded) return loaded with { ColumnsWidened = [.. committedWidenings, .. loaded.ColumnsWidened] };
            if (attempt >= MaxWidenings)
                throw new ExportFileException(load.Version.Path, $"columns kept needing to widen after {MaxWidenings} attempts");
            // In their order, so that the schema history reads as if they had been made in the load.
            foreach (var widening in outcome.Widenings)
            {
                await tables.WidenAsync(outcome.Table!, widening.Column, widening.Type, widening.Example, cancellationToken).ConfigureAwait(false);
                committedWidenings.Add(widening.Column);
            }
        }
    }

    /// <summary>
    /// Loads <paramref name="items"/> (small versions of one table) in one transaction, each inside a savepoint: a
    /// file that fails rolls back to its savepoint and fails alone. A file that would change the table's columns
    /// after the transaction has locked it (a new column, or a widening that must wait for another loader) is
    /// loaded on its own after the commit instead, since that change waits for this transaction's lock.
    /// </summary>
    public async Task<IReadOnlyList<FileVersionBatchResult>> LoadBatchAsync(IReadOnlyList<FileVersionBatchItem> items, CancellationToken cancellationToken,
        int sampleRows = DefaultSampleRows)
    {
        var results = new FileVersionBatchResult?[items.Count];
        var alone = new List<int>();
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            var locked = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < items.Count; i++)
            {
                var (load, open, beforeCommit) = items[i];
                await transaction.SaveAsync("file", cancellationToken).ConfigureAwait(false);
                try
                {
                    var (reader, columns) = await ReadHeaderAsync(load, open, sampleRows, cancellationToken).ConfigureAwait(false);
                    using (reader)
                    {
                        if (locked.Contains(load.Table) && !tables.Knows(load.Table, columns))
                        {
                            alone.Add(i);
                            continue;
                        }
                        var table = await tables.EnsureAsync(load.Table, columns, cancellationToken).ConfigureAwait(false);
                        var attempt = await CopyInAsync(connection, transaction, load, reader, table, null, 0, beforeCommit, cancellationToken)
                            .ConfigureAwait(false);
                        if (attempt.Loaded is not { } loaded)
                        {
                            await transaction.RollbackAsync("file", cancellationToken).ConfigureAwait(false);
                            alone.Add(i);
                            continue;
                        }
                        await transaction.ReleaseAsync("file", cancellationToken).ConfigureAwait(false);
                        locked.Add(load.Table);
                        results[i] = FileVersionBatchResult.Of(loaded);
                    }
                }
                catch (Exception ex) when (ex is ExportFileException or PostgresException)
                {
                    await transaction.RollbackAsync("file", cancellationToken).ConfigureAwait(false);
                    results[i] = FileVersionBatchResult.Failed(ex is PostgresException refused ? FileError(load.Version.Path, refused) : ex);
                }
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        foreach (var i in alone)
        {
            var (load, open, beforeCommit) = items[i];
            try
            {
                results[i] = FileVersionBatchResult.Of(await LoadAsync(load, open, cancellationToken, sampleRows: sampleRows, beforeCommit: beforeCommit)
                    .ConfigureAwait(false));
            }
            // The batch has committed: a failure now is this file's alone.
            catch (Exception ex) when (ex is ExportFileException or NpgsqlException)
            {
                results[i] = FileVersionBatchResult.Failed(ex switch
                {
                    PostgresException refused => FileError(load.Version.Path, refused),
                    NpgsqlException unavailable => new DatabaseUnavailableException($"PostgreSQL: {unavailable.Message}", unavailable),
                    _ => ex,
                });
            }
        }
        return results.Select(r => r!).ToList();
    }

    /// <summary>What the database refused of one file of a batch, as that file's error.</summary>
    private static ExportFileException FileError(string path, PostgresException refused) => refused.SqlState.StartsWith("22", StringComparison.Ordinal)
        ? new ExportFileException(path, $"PostgreSQL refused a value: {refused.MessageText}", inner: refused)
        : new ExportFileException(path, $"PostgreSQL: {refused.MessageText} ({refused.SqlState})", inner: refused);

    private async Task<Attempt> TryLoadAsync(FileVersionLoad load, Func<CancellationToken, Task<Stream>> open, Action<long>? rowsCopied, int sampleRows,
        int widenedBefore, Func<CancellationToken, Task>? beforeCommit, CancellationToken cancellationToken)
    {
        var (reader, columns) = await ReadHeaderAsync(load, open, sampleRows, cancellationToken).ConfigureAwait(false);
        using (reader)
        {
            var table = await tables.EnsureAsync(load.Table, columns, cancellationToken).ConfigureAwait(false);
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var attempt = await CopyInAsync(connection, transaction, load, reader, table, rowsCopied, widenedBefore, beforeCommit, cancellationToken)
                .ConfigureAwait(false);
            if (attempt.Loaded is { AlreadyLoaded: false }) await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return attempt;
        }
    }

    /// <summary>Opens the file and reads its header (the selected columns), typed: the load's inferred types, else sampled.</summary>
    private async Task<(ExportRecordReader Reader, List<Column> Columns)> ReadHeaderAsync(FileVersionLoad load, Func<CancellationToken, Task<Stream>> open,
        int sampleRows, CancellationToken cancellationToken)
    {
        var reader = ExportRecordReader.Open(await open(cancellationToken).ConfigureAwait(false), load.Version.Path, readFormat);
        try
        {
            if (load.SelectedColumns is { } selected) reader.SelectColumns(selected);
            var types = await HeaderTypesAsync(load, reader.Header, open, sampleRows, cancellationToken).ConfigureAwait(false);
            return (reader, reader.Header.Select(h => new Column(h, types.GetValueOrDefault(h, ColumnType.String))).ToList());
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The file's rows into <paramref name="table"/> inside <paramref name="transaction"/>, with its ledger row; the
    /// caller commits. Nothing to commit when the ledger has the version, or when the columns must widen first in a
    /// transaction of their own (the attempt then names them).
    /// </summary>
    private async Task<Attempt> CopyInAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, FileVersionLoad load, ExportRecordReader reader,
        TargetTable table, Action<long>? rowsCopied, int widenedBefore, Func<CancellationToken, Task>? beforeCommit, CancellationToken cancellationToken)
    {
        var path = load.Version.Path;
        // One loader per path at a time: two versions of one path must not interleave their delete and copy. Other
        // files of the table load alongside.
        await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(hashtextextended(@k, 0))", cancellationToken,
            ("k", $"load/{connectionId}/{load.Table}/{path}"));
        if (await ScalarAsync(connection, transaction, LedgerQuery, cancellationToken, LedgerKey(load)) is long already)
            return new Attempt(new FileVersionLoaded(true, already, 0, []));
        // Rows of a path are only ever committed with its ledger row: with no earlier version in the ledger there is
        // nothing to delete, and the delete (a scan of the index's unsummarized ranges) is skipped.
        var earlierVersion = await ScalarAsync(connection, transaction, $"""
            SELECT EXISTS (SELECT FROM {ControlTables.Schema}.file_ledger WHERE connection_id = @c AND responsys_table = @t AND path = @p)
            """, cancellationToken, LedgerKey(load)) is true;

        // Held to the commit, so no other loader can change a column's type under this COPY; read the types only
        // then, as a widening another loader committed meanwhile must be seen (binary COPY sends values in them).
        await ExecuteAsync(connection, transaction, $"LOCK TABLE {table.QualifiedName} IN ROW EXCLUSIVE MODE", cancellationToken);
        table = await tables.WithCurrentTypesAsync(connection, transaction, table, cancellationToken).ConfigureAwait(false);

        var replaced = earlierVersion
            ? await ExecuteAsync(connection, transaction,
                $"DELETE FROM {table.QualifiedName} WHERE {Quote(SystemColumns.SourceFile)} = @p", cancellationToken, ("p", path))
            : 0;

        var columns = reader.Header.Select(h => table.Columns[h]).ToArray();
        var values = new FieldValue[columns.Length];
        var gapTimes = new GapTimes(wallClockZone);
        // One time per file: every row of a version is extracted and batched together. Values every row repeats are
        // encoded once.
        var loadedAt = BinaryCopyWriter.EncodeTimestampTz(DateTime.UtcNow);
        var sourceFile = BinaryCopyWriter.EncodeText(path);
        var widened = new List<Widening>();
        long rows = 0;
        var layout = new CopyLayout(columns);
        var copy = await BinaryCopyWriter.BeginAsync(connection, CopyCommand(table, layout), cancellationToken).ConfigureAwait(false);
        try
        {
            var retry = false;
            while (retry || reader.Read())
            {
                retry = false;
                cancellationToken.ThrowIfCancellationRequested();
                var refused = Convert(reader, columns, values, gapTimes);
                if (refused >= 0)
                {
                    // Every column of the record that refuses its value widens at once: one rewrite, not one each.
                    var needed = Refusals(reader, path, columns, refused);
                    if (widenedBefore + widened.Count + needed.Count > MaxWidenings)
                        throw new ExportFileException(path, $"columns kept needing to widen after {MaxWidenings} attempts");
                    // The rows so far stay in the transaction; the columns widen in it (rewriting them), and a new COPY
                    // goes on from the refused row.
                    rows += await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
                    await copy.DisposeAsync().ConfigureAwait(false);
                    if (!await TryLockWideningAsync(connection, transaction, table, cancellationToken).ConfigureAwait(false))
                    {
                        // Another loader of this table is widening and waits for this one's COPY to end (waiting for it in
                        // turn would deadlock). Back off: the columns widen in a transaction of their own (with those this
                        // one made), then the file starts again.
                        return new Attempt(null, table, [.. widened, .. needed]);
                    }
                    await tables.WidenAsync(connection, transaction, table, needed.Select(n => (n.Column, n.Type, n.Example)).ToList(),
                        cancellationToken).ConfigureAwait(false);
                    table = await tables.WithCurrentTypesAsync(connection, transaction, table, cancellationToken).ConfigureAwait(false);
                    columns = reader.Header.Select(h => table.Columns[h]).ToArray();
                    layout = new CopyLayout(columns);
                    widened.AddRange(needed);
                    copy = await BinaryCopyWriter.BeginAsync(connection, CopyCommand(table, layout), cancellationToken).ConfigureAwait(false);
                    retry = true;
                    continue;
                }

                copy.StartRow(layout.Fields);
                for (var i = 0; i < values.Length; i++)
                    if (!columns[i].InOverflow) Write(copy, values[i], reader, i);
                copy.WriteEncoded(sourceFile);
                copy.WriteBigint(reader.SourceLineNumber);
                if (reader.FieldCount > columns.Length) copy.WriteJsonb(ExtraJson(reader, columns.Length));
                else copy.WriteNull();
                copy.WriteEncoded(loadedAt);
                copy.WriteEncoded(loadedAt);
                if (layout.HasOverflow) layout.WriteOverflow(copy, reader);
                await copy.EndRowAsync(cancellationToken).ConfigureAwait(false);
                if (reader.RecordsRead % ProgressEvery == 0) rowsCopied?.Invoke(reader.RecordsRead);
            }
            rows += await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Disposing a COPY that was not completed cancels it; the transaction then rolls back.
            await copy.DisposeAsync().ConfigureAwait(false);
        }

        var recordCount = ExportFileChecks.RequireRecordCount(path, load.ReadyFileName, load.ExpectedRecords, reader.RecordsRead);
        // The last word before the commit: whatever the caller must still check (the tap and the engine check that the
        // file did not change while it was read).
        if (beforeCommit is not null) await beforeCommit(cancellationToken).ConfigureAwait(false);

        await ExecuteAsync(connection, transaction, $"""
            INSERT INTO {ControlTables.Schema}.file_ledger (connection_id, responsys_table, path, modified, size, rows_loaded, rows_replaced, loaded_by)
            VALUES (@c, @t, @p, @m, @s, @rows, @replaced, @by)
            """, cancellationToken, [.. LedgerKey(load), ("rows", rows), ("replaced", (long)replaced), ("by", loadedBy)]);
        return new Attempt(new FileVersionLoaded(false, rows, replaced, widened.Select(w => w.Column).ToList(), recordCount,
            gapTimes.Note is { } note ? [note] : null));
    }

    /// <summary>
    /// Types for the header's columns: the load's inferred ones, and for columns neither they nor the table know, a
    /// sample of this file's first records.
    /// </summary>
    private async Task<Dictionary<string, ColumnType>> HeaderTypesAsync(FileVersionLoad load, IReadOnlyList<string> header,
        Func<CancellationToken, Task<Stream>> open, int sampleRows, CancellationToken cancellationToken)
    {
        var types = new Dictionary<string, ColumnType>(StringComparer.Ordinal);
        foreach (var column in load.InferredColumns) types[column.Name] = column.Type;
        var unknown = header.Where(h => !types.ContainsKey(h)).ToList();
        if (unknown.Count == 0) return types;
        var existing = await tables.ColumnsOfAsync(load.Table, cancellationToken).ConfigureAwait(false);
        var missing = unknown.Where(h => !existing.Contains(h)).ToHashSet(StringComparer.Ordinal);
        if (missing.Count == 0) return types;

        var stream = await open(cancellationToken).ConfigureAwait(false);
        using var sample = ExportRecordReader.Open(stream, load.Version.Path, readFormat);
        var inference = new TableSchemaInference();
        var byPosition = inference.AddHeader(sample.Header);
        var observed = Enumerable.Range(0, sample.Header.Count).Where(i => missing.Contains(sample.Header[i])).ToArray();
        while (sample.RecordsRead < sampleRows && sample.Read())
        {
            foreach (var i in observed)
                if (i < sample.FieldCount) byPosition[i].Observe(sample.Field(i));
        }
        foreach (var column in inference.Columns.Where(c => missing.Contains(c.Name))) types[column.Name] = column.Type;
        return types;
    }

    /// <summary>The current record's fields, from <paramref name="first"/> on, that their columns refuse, with the type each needs.</summary>
    private List<Widening> Refusals(ExportRecordReader reader, string path, TargetColumn[] columns, int first)
    {
        var refusals = new List<Widening>();
        for (var i = first; i < columns.Length && i < reader.FieldCount; i++)
        {
            if (FieldValues.TryConvert(columns[i], reader.Field(i), wallClockZone, out _)) continue;
            refusals.Add(new Widening(reader.Header[i], NeededType(reader, path, columns[i].Type, i, wallClockZone), reader.Field(i).ToString(), i));
        }
        return refusals;
    }

    /// <summary>
    /// The type column <paramref name="ordinal"/> must widen to for the current record's value; a value that needs
    /// no wider type yet was refused is a defect, reported as such rather than retried.
    /// </summary>
    internal static ColumnType NeededType(ExportRecordReader reader, string path, ColumnType current, int ordinal, TimeZoneInfo wallClockZone)
    {
        var value = reader.Field(ordinal);
        var needed = ColumnWidening.Wider(current, ColumnWidening.Needed(current, value, wallClockZone));
        if (needed != current) return needed;
        var shown = value.Length > 100 ? value[..100].ToString() + "…" : value.ToString();
        throw new ExportFileException(path,
            $"column {reader.Header[ordinal]}: value '{shown}' was refused by its {PgColumnTypes.Sql(current)} column, yet needs no wider type",
            reader.LineNumber, reader.SourceLineNumber);
    }

    private static async Task<bool> TryLockWideningAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, TargetTable table,
        CancellationToken cancellationToken) =>
        await ScalarAsync(connection, transaction, "SELECT pg_try_advisory_xact_lock(hashtextextended(@k, 0))", cancellationToken,
            ("k", $"widen/{table.QualifiedName}")).ConfigureAwait(false) is true;

    private static string CopyCommand(TargetTable table, CopyLayout layout) =>
        $"COPY {table.QualifiedName} ({string.Join(", ", layout.Typed.Select(c => Quote(c.Name)))}{(layout.Typed.Count > 0 ? ", " : "")}" +
        $"{Quote(SystemColumns.SourceFile)}, {Quote(SystemColumns.SourceLineNumber)}, {Quote(SystemColumns.Extra)}, " +
        $"{Quote(SystemColumns.ExtractedAt)}, {Quote(SystemColumns.BatchedAt)}" +
        $"{(layout.HasOverflow ? ", " + Quote(SystemColumns.Overflow) : "")}) FROM STDIN (FORMAT BINARY)";

    /// <summary>
    /// Converts the current record's fields into <paramref name="values"/>; returns the ordinal of the first field
    /// its column refuses, or -1. A whole record is checked before any of it is written: a COPY row cannot be taken back.
    /// </summary>
    private int Convert(ExportRecordReader reader, TargetColumn[] columns, FieldValue[] values, GapTimes gapTimes)
    {
        var fields = reader.FieldCount;
        for (var i = 0; i < columns.Length; i++)
        {
            var value = i < fields ? reader.Field(i) : default;
            if (!FieldValues.TryConvert(columns[i], value, wallClockZone, out values[i])) return i;
        }
        for (var i = 0; i < columns.Length; i++)
            if (values[i].ShiftedOverGap) gapTimes.Add(reader, i, values[i].DateTime);
        return -1;
    }

    // A text value is only ever a field the record has: a missing one is null.
    private static void Write(BinaryCopyWriter copy, in FieldValue value, ExportRecordReader reader, int ordinal)
    {
        switch (value.Kind)
        {
            case FieldKind.Null: copy.WriteNull(); break;
            case FieldKind.Integer: copy.WriteBigint(value.Integer); break;
            case FieldKind.Number: copy.WriteNumeric(value.Number); break;
            case FieldKind.DateTime: copy.WriteTimestampTz(value.DateTime); break;
            default: copy.WriteText(value.Text is { } canonical ? canonical : reader.Field(ordinal)); break;
        }
    }

    private static string ExtraJson(ExportRecordReader reader, int from)
    {
        var extras = new string[reader.FieldCount - from];
        for (var i = from; i < reader.FieldCount; i++) extras[i - from] = reader.Field(i).ToString();
        return JsonSerializer.Serialize(extras);
    }

    private const string LedgerQuery = $"""
        SELECT rows_loaded FROM {ControlTables.Schema}.file_ledger
        WHERE connection_id = @c AND responsys_table = @t AND path = @p AND modified = @m AND size = @s
        """;

    /// <summary>The rows the ledger says this version of the table's file loaded, or null when it is not in the ledger: one query.</summary>
    public async Task<long?> LoadedRowsAsync(string table, FileVersion version, CancellationToken cancellationToken)
    {
        await using var ledger = dataSource.CreateCommand(LedgerQuery);
        foreach (var (name, value) in LedgerKey(table, version)) ledger.Parameters.AddWithValue(name, value!);
        return await ledger.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as long?;
    }

    private (string, object?)[] LedgerKey(FileVersionLoad load) => LedgerKey(load.Table, load.Version);

    private (string, object?)[] LedgerKey(string table, FileVersion version) =>
    [
        ("c", connectionId), ("t", table), ("p", version.Path),
        ("m", version.Modified.UtcDateTime), ("s", version.Size),
    ];

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql,
        CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql,
        CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    /// <summary>A load that ended (<paramref name="Loaded"/>), or the widenings to make before starting it again.</summary>
    private sealed record Attempt(FileVersionLoaded? Loaded, TargetTable? Table = null, IReadOnlyList<Widening>? WideningsNeeded = null)
    {
        public IReadOnlyList<Widening> Widenings => WideningsNeeded ?? [];
    }

    /// <summary>A column to widen to <paramref name="Type"/> for <paramref name="Example"/>, the header's field <paramref name="Ordinal"/>.</summary>
    private sealed record Widening(string Column, ColumnType Type, string Example, int Ordinal);
}
