using System.Collections.Concurrent;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Ports;

namespace ResponsysCluster.Engine.Tests.Fakes;

/// <summary>
/// A file-version store in memory: which tables have columns, a ledger, and loads that read the whole stream and
/// count its lines. Run records land in lists the tests read.
/// </summary>
public sealed class RecordingStore : IFileVersionStore, IRunRecords
{
    private readonly ConcurrentDictionary<(string Table, FileVersion Version), long> ledger = new();
    private readonly ConcurrentQueue<(string Step, string Message, string? Table, string? Path)> steps = new();
    private readonly ConcurrentQueue<TableReportRow> reports = new();

    /// <summary>Tables the database already has columns for.</summary>
    public ConcurrentDictionary<string, bool> TablesWithColumns { get; } = new();

    /// <summary>Tables whose column query fails with the given exception.</summary>
    public ConcurrentDictionary<string, Exception> ColumnsFailure { get; } = new();

    /// <summary>When set, saving the report fails with it.</summary>
    public Exception? ReportFailure { get; set; }

    public IReadOnlyList<(string Step, string Message, string? Table, string? Path)> Steps => [.. steps];

    public IReadOnlyList<TableReportRow> Reports => [.. reports];

    public int LedgerCount => ledger.Count;

    public Task<bool> IsLoadedAsync(string table, FileVersion version, CancellationToken cancellationToken) =>
        Task.FromResult(ledger.ContainsKey((table, version)));

    public Task<bool> HasColumnsAsync(string table, CancellationToken cancellationToken) =>
        ColumnsFailure.TryGetValue(table, out var failure) ? Task.FromException<bool>(failure) : Task.FromResult(TablesWithColumns.ContainsKey(table));

    public async Task<FileVersionLoaded> LoadAsync(FileVersionLoad load, Func<CancellationToken, Task<Stream>> open, Action<long>? rowsCopied,
        Func<CancellationToken, Task> beforeCommit, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(await open(cancellationToken));
        var lines = (await reader.ReadToEndAsync(cancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        var rows = lines - 1;
        await beforeCommit(cancellationToken);
        if (!ledger.TryAdd((load.Table, load.Version), rows)) return new FileVersionLoaded(true, 0, 0, []);
        TablesWithColumns[load.Table] = true;
        return new FileVersionLoaded(false, rows, 0, [], RecordCountOutcome.MatchesRecords);
    }

    /// <summary>The number of files of each batch loaded, in order.</summary>
    public ConcurrentQueue<int> Batches { get; } = new();

    /// <summary>Each file as <see cref="LoadAsync"/> loads it; a file's own error fails it alone.</summary>
    public async Task<IReadOnlyList<FileVersionBatchResult>> LoadBatchAsync(IReadOnlyList<FileVersionBatchItem> items, CancellationToken cancellationToken)
    {
        Batches.Enqueue(items.Count);
        var results = new List<FileVersionBatchResult>();
        foreach (var (load, open, beforeCommit) in items)
        {
            try
            {
                results.Add(FileVersionBatchResult.Of(await LoadAsync(load, open, null, beforeCommit, cancellationToken)));
            }
            catch (ExportFileException ex)
            {
                results.Add(FileVersionBatchResult.Failed(ex));
            }
        }
        return results;
    }

    public Task StepAsync(Guid runId, string step, string message, string? table, string? path, CancellationToken cancellationToken)
    {
        steps.Enqueue((step, message, table, path));
        return Task.CompletedTask;
    }

    public Task SaveReportAsync(Guid runId, DateTimeOffset startedAt, IReadOnlyList<TableReportRow> rows, IReadOnlyList<string> runErrors,
        CancellationToken cancellationToken)
    {
        if (ReportFailure is { } failure) return Task.FromException(failure);
        foreach (var row in rows) reports.Enqueue(row);
        return Task.CompletedTask;
    }

    public Task<DateTimeOffset?> LastRunStartAsync(CancellationToken cancellationToken) => Task.FromResult<DateTimeOffset?>(null);
}
