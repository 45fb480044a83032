namespace ResponsysCluster.Domain.Ports;

/// <summary>One table's line of a run's loading report.</summary>
public sealed record TableReportRow(string Table, int FilesLoaded, int FilesSkipped, int FilesFailed, int FilesWaiting, int FilesAbandoned,
    long RowsLoaded, long RowsReplaced, long Bytes, TimeSpan Duration, IReadOnlyList<string> Errors);

/// <summary>
/// The port that keeps each run's extraction log (one step at a time, in order) and its loading report. Fails with
/// <see cref="DatabaseUnavailableException"/>.
/// </summary>
public interface IRunRecords
{
    Task StepAsync(Guid runId, string step, string message, string? table, string? path, CancellationToken cancellationToken);

    /// <summary>
    /// Saves the run's loading report, and ends the run's record: failed when <paramref name="runErrors"/> has any or
    /// a file failed, succeeded otherwise.
    /// </summary>
    Task SaveReportAsync(Guid runId, DateTimeOffset startedAt, IReadOnlyList<TableReportRow> rows, IReadOnlyList<string> runErrors,
        CancellationToken cancellationToken);

    /// <summary>
    /// When the connection's latest run started, on any node; null when it never ran, or when that run never ended
    /// (interrupted by a rebalance or a lost node: the schedule then resumes its work at once).
    /// </summary>
    Task<DateTimeOffset?> LastRunStartAsync(CancellationToken cancellationToken);
}
