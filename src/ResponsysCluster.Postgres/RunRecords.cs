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

    public Task SaveReportAsync(Guid runId, DateTimeOffset startedAt, IReadOnlyList<TableReportRow> rows, IReadOnlyList<string> runErrors,
        CancellationToken cancellationToken) =>
        DatabaseErrors.TranslateAsync(async () =>
        {
            await WriteReportAsync(runId, startedAt, rows, cancellationToken).ConfigureAwait(false);
            var failed = runErrors.Count > 0 || rows.Any(r => r.FilesFailed > 0);
            await using var end = dataSource.CreateCommand($"""
                INSERT INTO {ControlTables.Schema}.runs (run_id, connection_id, node, started_at, ended_at, status, errors)
                VALUES (@r, @c, @n, @at, now(), @s, @e)
                ON CONFLICT (run_id) DO UPDATE SET ended_at = now(), status = @s, errors = @e
                """);
            end.Parameters.AddWithValue("r", runId);
            end.Parameters.AddWithValue("c", connectionId);
            end.Parameters.AddWithValue("n", (object?)node ?? DBNull.Value);
            end.Parameters.AddWithValue("at", startedAt.UtcDateTime);
            end.Parameters.AddWithValue("s", failed ? "failed" : "succeeded");
            end.Parameters.AddWithValue("e", runErrors.ToArray());
            await end.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        });

    /// <summary>
    /// When the connection's latest run started; null when it never ran, or when that run never ended (its scheduler
    /// was stopped under it: a rebalance, a node lost), which is then marked interrupted, so that the schedule resumes
    /// its work at once rather than at the next tick. Runs from before the run records count by their first step.
    /// </summary>
    public Task<DateTimeOffset?> LastRunStartAsync(CancellationToken cancellationToken) => DatabaseErrors.TranslateAsync(async () =>
    {
        (Guid RunId, DateTimeOffset StartedAt, bool Ended)? last = null;
        await using (var latest = dataSource.CreateCommand($"""
            SELECT run_id, started_at, ended_at IS NOT NULL FROM {ControlTables.Schema}.runs WHERE connection_id = @c ORDER BY started_at DESC LIMIT 1
            """))
        {
            latest.Parameters.AddWithValue("c", connectionId);
            // The reader gives its session back to the pool once disposed, and only once: nothing else runs until then.
            await using var reader = await latest.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                last = (reader.GetGuid(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetBoolean(2));
        }
        if (last is { Ended: true } ended) return ended.StartedAt;
        if (last is { } cutShort)
        {
            await using var interrupted = dataSource.CreateCommand($"""
                UPDATE {ControlTables.Schema}.runs SET status = 'interrupted', ended_at = now() WHERE run_id = @r AND ended_at IS NULL
                """);
            interrupted.Parameters.AddWithValue("r", cutShort.RunId);
            await interrupted.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return (DateTimeOffset?)null;
        }
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
            VALUES (@r, @c, @s, @t, @p, @m, @n);
            INSERT INTO {ControlTables.Schema}.runs (run_id, connection_id, node, started_at, status) VALUES (@r, @c, @n, now(), 'running')
            ON CONFLICT (run_id) DO NOTHING
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
