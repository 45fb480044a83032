using Npgsql;
using ResponsysCluster.Domain.Ports;

namespace ResponsysCluster.Postgres;

/// <summary>
/// Keeps each run's extraction log (connect, list, tables found, files pending, each file started, finished or
/// failed with its reason) and its loading report, retrievable by run id. Each step names the <paramref name="node"/>
/// that wrote it.
/// </summary>
public sealed class RunRecords(NpgsqlDataSource dataSource, string connectionId, string? node = null) : IRunRecords
{
    public Task StepAsync(Guid runId, string step, string message, string? table = null, string? path = null, CancellationToken cancellationToken = default) =>
        DatabaseErrors.TranslateAsync(() => WriteStepAsync(runId, step, message, table, path, cancellationToken));

    public Task SaveReportAsync(Guid runId, DateTimeOffset startedAt, IEnumerable<TableReportRow> rows, CancellationToken cancellationToken) =>
        DatabaseErrors.TranslateAsync(() => WriteReportAsync(runId, startedAt, rows, cancellationToken));

    public Task<DateTimeOffset?> LastRunStartAsync(CancellationToken cancellationToken) => DatabaseErrors.TranslateAsync(async () =>
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT min(at) FROM {ControlTables.Schema}.extraction_log
            WHERE run_id = (SELECT run_id FROM {ControlTables.Schema}.extraction_log WHERE connection_id = @c ORDER BY id DESC LIMIT 1)
            """);
        command.Parameters.AddWithValue("c", connectionId);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is DateTime at
            ? new DateTimeOffset(at, TimeSpan.Zero)
            : (DateTimeOffset?)null;
    });

    private async Task WriteStepAsync(Guid runId, string step, string message, string? table, string? path, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            INSERT INTO {ControlTables.Schema}.extraction_log (run_id, connection_id, step, responsys_table, path, message, node)
            VALUES (@r, @c, @s, @t, @p, @m, @n)
            """);
        command.Parameters.AddWithValue("n", (object?)node ?? DBNull.Value);
        command.Parameters.AddWithValue("r", runId);
        command.Parameters.AddWithValue("c", connectionId);
        command.Parameters.AddWithValue("s", step);
        command.Parameters.AddWithValue("t", (object?)table ?? DBNull.Value);
        command.Parameters.AddWithValue("p", (object?)path ?? DBNull.Value);
        command.Parameters.AddWithValue("m", message);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteReportAsync(Guid runId, DateTimeOffset startedAt, IEnumerable<TableReportRow> rows, CancellationToken cancellationToken)
    {
        foreach (var row in rows)
        {
            await using var command = dataSource.CreateCommand($"""
                INSERT INTO {ControlTables.Schema}.load_reports (run_id, connection_id, responsys_table, started_at, files_loaded, files_skipped,
                    files_failed, files_waiting, files_abandoned, rows_loaded, rows_replaced, bytes, seconds, errors)
                VALUES (@r, @c, @t, @at, @fl, @fs, @ff, @fw, @fa, @rl, @rr, @b, @sec, @e)
                """);
            command.Parameters.AddWithValue("r", runId);
            command.Parameters.AddWithValue("c", connectionId);
            command.Parameters.AddWithValue("t", row.Table);
            command.Parameters.AddWithValue("at", startedAt.UtcDateTime);
            command.Parameters.AddWithValue("fl", row.FilesLoaded);
            command.Parameters.AddWithValue("fs", row.FilesSkipped);
            command.Parameters.AddWithValue("ff", row.FilesFailed);
            command.Parameters.AddWithValue("fw", row.FilesWaiting);
            command.Parameters.AddWithValue("fa", row.FilesAbandoned);
            command.Parameters.AddWithValue("rl", row.RowsLoaded);
            command.Parameters.AddWithValue("rr", row.RowsReplaced);
            command.Parameters.AddWithValue("b", row.Bytes);
            command.Parameters.AddWithValue("sec", row.Duration.TotalSeconds);
            command.Parameters.AddWithValue("e", row.Errors.ToArray());
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A run's extraction log, oldest step first: (step, table, path, message). The run id alone finds it.</summary>
    public static async Task<IReadOnlyList<(string Step, string? Table, string? Path, string Message)>> LogOfAsync(
        NpgsqlDataSource dataSource, Guid runId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT step, responsys_table, path, message FROM {ControlTables.Schema}.extraction_log WHERE run_id = @r ORDER BY id
            """);
        command.Parameters.AddWithValue("r", runId);
        var steps = new List<(string, string?, string?, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            steps.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3)));
        return steps;
    }
}
