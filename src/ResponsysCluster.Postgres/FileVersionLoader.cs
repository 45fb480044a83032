using System.Globalization;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Schema;
using static ResponsysCluster.Domain.Naming.PostgresIdentifier;

namespace ResponsysCluster.Postgres;

/// <summary>
/// Loads one file version exactly once, in one transaction: skip it if the ledger has it, delete the rows an
/// earlier version of the same path loaded, binary-COPY the new rows, check the ready file's record count
/// (rolling back on a mismatch) and write the ledger row. A value that does not fit its column rolls the
/// transaction back, widens the column and starts the file again.
/// </summary>
public sealed class FileVersionLoader(NpgsqlDataSource dataSource, TargetTables tables, string connectionId, CsvFormat format, TimeZoneInfo wallClockZone)
{
    private const int MaxWidenings = 64;

    /// <summary>Rows between two progress reports.</summary>
    public const int ProgressEvery = 50_000;

    /// <summary>
    /// Loads <paramref name="load"/>, opening the file with <paramref name="open"/> (once per attempt);
    /// <paramref name="rowsCopied"/> hears the rows copied so far every <see cref="ProgressEvery"/> rows.
    /// </summary>
    public async Task<FileVersionLoaded> LoadAsync(FileVersionLoad load, Func<CancellationToken, Task<Stream>> open, CancellationToken cancellationToken,
        Action<long>? rowsCopied = null)
    {
        var widened = new List<string>();
        for (var attempt = 0; ; attempt++)
        {
            var outcome = await TryLoadAsync(load, open, rowsCopied, cancellationToken).ConfigureAwait(false);
            if (outcome.Loaded is { } loaded) return loaded with { ColumnsWidened = widened };
            if (attempt >= MaxWidenings)
                throw new ExportFileException(load.Version.Path, $"columns kept needing to widen after {MaxWidenings} attempts");
            var (table, column, type, example) = outcome.Widen!.Value;
            await tables.WidenAsync(table, column, type, example, cancellationToken).ConfigureAwait(false);
            widened.Add(column);
        }
    }

    private async Task<Attempt> TryLoadAsync(FileVersionLoad load, Func<CancellationToken, Task<Stream>> open, Action<long>? rowsCopied,
        CancellationToken cancellationToken)
    {
        var path = load.Version.Path;
        var stream = await open(cancellationToken).ConfigureAwait(false);
        using var reader = ExportRecordReader.Open(stream, path, format);
        var inferred = load.InferredColumns.ToDictionary(c => c.Name, c => c.Type, StringComparer.Ordinal);
        var table = await tables.EnsureAsync(load.Table,
            reader.Header.Select(h => new Column(h, inferred.GetValueOrDefault(h, ColumnType.String))).ToList(), cancellationToken).ConfigureAwait(false);
        var columns = reader.Header.Select(h => table.Columns[h]).ToArray();

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // One loader per table at a time: two versions of one path must not interleave their delete and copy.
        await ScalarAsync(connection, transaction, "SELECT pg_advisory_xact_lock(hashtext(@k))", cancellationToken, ("k", connectionId + "/" + load.Table));
        if (await ScalarAsync(connection, transaction, $"""
                SELECT rows_loaded FROM {ControlTables.Schema}.file_ledger
                WHERE connection_id = @c AND responsys_table = @t AND path = @p AND modified = @m AND size = @s
                """, cancellationToken, LedgerKey(load)) is long already)
        {
            return new Attempt(new FileVersionLoaded(true, already, 0, []), null);
        }

        var replaced = await ExecuteAsync(connection, transaction,
            $"DELETE FROM {table.QualifiedName} WHERE {Quote(TargetTables.SourceFile)} = @p", cancellationToken, ("p", path));

        var copy = $"COPY {table.QualifiedName} ({string.Join(", ", columns.Select(c => Quote(c.Name)))}, " +
            $"{Quote(TargetTables.SourceFile)}, {Quote(TargetTables.SourceLineNumber)}, {Quote(TargetTables.Extra)}, " +
            $"{Quote(TargetTables.ExtractedAt)}, {Quote(TargetTables.BatchedAt)}) FROM STDIN (FORMAT BINARY)";
        var extractedAt = DateTime.UtcNow;
        long rows;
        await using (var importer = await connection.BeginBinaryImportAsync(copy, cancellationToken).ConfigureAwait(false))
        {
            while (reader.Read())
            {
                cancellationToken.ThrowIfCancellationRequested();
                importer.StartRow();
                var fields = reader.FieldCount;
                for (var i = 0; i < columns.Length; i++)
                {
                    var value = i < fields ? reader.Field(i) : default;
                    if (!TryWrite(importer, columns[i].Type, value))
                    {
                        var needed = ColumnWidening.Wider(columns[i].Type, ColumnWidening.Needed(columns[i].Type, value, wallClockZone));
                        // A refused value needs a wider type even when its text looks like the column's own: a wall-clock
                        // time in the zone's DST gap parses as a date-time but cannot be placed, so it goes to text.
                        if (needed == columns[i].Type) needed = ColumnType.String;
                        // Disposing the importer without completing it cancels the COPY; the transaction rolls back.
                        return new Attempt(null, (table, reader.Header[i], needed, value.ToString()));
                    }
                }
                importer.Write(path, NpgsqlDbType.Text);
                importer.Write(reader.SourceLineNumber, NpgsqlDbType.Bigint);
                if (fields > columns.Length) importer.Write(ExtraJson(reader, columns.Length), NpgsqlDbType.Jsonb);
                else importer.WriteNull();
                importer.Write(extractedAt, NpgsqlDbType.TimestampTz);
                importer.Write(DateTime.UtcNow, NpgsqlDbType.TimestampTz);
                if (reader.RecordsRead % ProgressEvery == 0) rowsCopied?.Invoke(reader.RecordsRead);
            }
            rows = (long)await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        var recordCount = RecordCountCheck.Check(load.ExpectedRecords, reader.RecordsRead);
        if (recordCount == RecordCountOutcome.Mismatch)
        {
            throw new ExportFileException(path,
                $"record count mismatch: the ready file says {load.ExpectedRecords}, the file holds {reader.RecordsRead} records; nothing was loaded");
        }

        await ExecuteAsync(connection, transaction, $"""
            INSERT INTO {ControlTables.Schema}.file_ledger (connection_id, responsys_table, path, modified, size, rows_loaded, rows_replaced)
            VALUES (@c, @t, @p, @m, @s, @rows, @replaced)
            """, cancellationToken, [.. LedgerKey(load), ("rows", rows), ("replaced", (long)replaced)]);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new Attempt(new FileVersionLoaded(false, rows, replaced, [], recordCount), null);
    }

    private bool TryWrite(NpgsqlBinaryImporter importer, ColumnType type, ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            importer.WriteNull();
            return true;
        }
        switch (type)
        {
            case ColumnType.Integer:
                if (!ResponsysValues.IsInteger(value) || !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)) return false;
                importer.Write(integer, NpgsqlDbType.Bigint);
                return true;
            case ColumnType.Number:
                if (!ResponsysValues.IsNumber(value) || !decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)) return false;
                importer.Write(number, NpgsqlDbType.Numeric);
                return true;
            case ColumnType.DateTime:
                // A wall-clock time that does not exist in the zone (a DST gap) cannot be placed: keep it as text.
                if (!ResponsysDateTime.TryParse(value, out var dateTime, out var hasOffset) || (!hasOffset && wallClockZone.IsInvalidTime(dateTime))) return false;
                importer.Write(hasOffset ? dateTime : TimeZoneInfo.ConvertTimeToUtc(dateTime, wallClockZone), NpgsqlDbType.TimestampTz);
                return true;
            default:
                importer.Write(value.ToString(), NpgsqlDbType.Text);
                return true;
        }
    }

    private static string ExtraJson(ExportRecordReader reader, int from)
    {
        var extras = new string[reader.FieldCount - from];
        for (var i = from; i < reader.FieldCount; i++) extras[i - from] = reader.Field(i).ToString();
        return JsonSerializer.Serialize(extras);
    }

    private (string, object?)[] LedgerKey(FileVersionLoad load) =>
    [
        ("c", connectionId), ("t", load.Table), ("p", load.Version.Path),
        ("m", load.Version.Modified.UtcDateTime), ("s", load.Version.Size),
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

    private sealed record Attempt(FileVersionLoaded? Loaded, (TargetTable Table, string Column, ColumnType Type, string Example)? Widen);
}
