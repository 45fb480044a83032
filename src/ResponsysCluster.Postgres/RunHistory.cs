using Npgsql;

namespace ResponsysCluster.Postgres;

/// <summary>A run as its record keeps it: running, succeeded or failed, where and when.</summary>
public sealed record RunSummary(Guid RunId, string ConnectionId, string? Node, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, string Status,
    IReadOnlyList<string> Errors);

/// <summary>One table's line of a run's loading report.</summary>
public sealed record RunTableReport(string Table, int FilesLoaded, int FilesSkipped, int FilesFailed, int FilesWaiting, int FilesAbandoned,
    long RowsLoaded, long RowsReplaced, long Bytes, double Seconds, IReadOnlyList<string> Errors);

/// <summary>One step of a run's extraction log, with the node that wrote it.</summary>
public sealed record RunLogStep(DateTimeOffset At, string? Node, string Step, string? Table, string? Path, string Message);

/// <summary>How far a run has got, as its extraction log tells: files listed as pending, files done (loaded or skipped), failed, rows loaded.</summary>
public sealed record RunProgress(long FilesPending, long FilesDone, long FilesFailed, long RowsLoaded);

/// <summary>The runs of every connection as the control tables keep them, for the management API.</summary>
public sealed class RunHistory(NpgsqlDataSource dataSource)
{
    private const string Columns = "run_id, connection_id, node, started_at, ended_at, status, errors";

    /// <summary>The connection's latest <paramref name="limit"/> runs, newest first.</summary>
    public async Task<IReadOnlyList<RunSummary>> RunsOfAsync(string connectionId, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {Columns} FROM {ControlTables.Schema}.runs WHERE connection_id = @c ORDER BY started_at DESC LIMIT @l");
        command.Parameters.AddWithValue("c", connectionId);
        command.Parameters.AddWithValue("l", limit);
        return await ReadAsync(command, Summary, cancellationToken).ConfigureAwait(false);
    }

    public async Task<RunSummary?> RunAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM {ControlTables.Schema}.runs WHERE run_id = @r");
        command.Parameters.AddWithValue("r", runId);
        return (await ReadAsync(command, Summary, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
    }

    public async Task<IReadOnlyList<RunTableReport>> ReportAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT responsys_table, files_loaded, files_skipped, files_failed, files_waiting, files_abandoned, rows_loaded, rows_replaced, bytes, seconds, errors
            FROM {ControlTables.Schema}.load_reports WHERE run_id = @r ORDER BY responsys_table
            """);
        command.Parameters.AddWithValue("r", runId);
        return await ReadAsync(command, r => new RunTableReport(r.GetString(0), r.GetInt32(1), r.GetInt32(2), r.GetInt32(3), r.GetInt32(4), r.GetInt32(5),
            r.GetInt64(6), r.GetInt64(7), r.GetInt64(8), r.GetDouble(9), r.GetFieldValue<string[]>(10)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Read from the run's own steps, so that a run's progress shows while it goes (its report is written at its
    /// end): each table's "N files pending", each "file finished" with its "N rows loaded", each "file skipped"
    /// and "file failed".
    /// </summary>
    public async Task<RunProgress> ProgressAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($$"""
            SELECT coalesce(sum(substring(message from '^(\d+) files pending')::bigint) FILTER (WHERE step = 'files pending'), 0)::bigint,
                   count(*) FILTER (WHERE step IN ('file finished', 'file skipped')),
                   count(*) FILTER (WHERE step = 'file failed'),
                   coalesce(sum(substring(message from '^(\d+) rows loaded')::bigint) FILTER (WHERE step = 'file finished'), 0)::bigint
            FROM {{ControlTables.Schema}}.extraction_log WHERE run_id = @r
            """);
        command.Parameters.AddWithValue("r", runId);
        return (await ReadAsync(command, r => new RunProgress(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3)), cancellationToken)
            .ConfigureAwait(false)).Single();
    }

    public async Task<IReadOnlyList<RunLogStep>> LogAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT at, node, step, responsys_table, path, message FROM {ControlTables.Schema}.extraction_log WHERE run_id = @r ORDER BY id
            """);
        command.Parameters.AddWithValue("r", runId);
        return await ReadAsync(command, r => new RunLogStep(r.GetFieldValue<DateTimeOffset>(0), Text(r, 1), r.GetString(2), Text(r, 3), Text(r, 4), r.GetString(5)),
            cancellationToken).ConfigureAwait(false);
    }

    private static RunSummary Summary(NpgsqlDataReader r) => new(r.GetGuid(0), r.GetString(1), Text(r, 2), r.GetFieldValue<DateTimeOffset>(3),
        r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4), r.GetString(5), r.GetFieldValue<string[]>(6));

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static async Task<IReadOnlyList<T>> ReadAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) rows.Add(read(reader));
        return rows;
    }
}
