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

    Task SaveReportAsync(Guid runId, DateTimeOffset startedAt, IEnumerable<TableReportRow> rows, CancellationToken cancellationToken);

    /// <summary>When the connection's latest run started (its first logged step), on any node; null when it never ran.</summary>
    Task<DateTimeOffset?> LastRunStartAsync(CancellationToken cancellationToken);
}
