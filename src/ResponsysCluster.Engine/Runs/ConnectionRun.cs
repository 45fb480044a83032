using System.Diagnostics;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Sync;
using ResponsysCluster.Engine.Bookmarks;
using ResponsysCluster.Postgres;
using static ResponsysCluster.Engine.Bookmarks.TableBookmarkProtocol;
using static ResponsysCluster.Engine.Files.FileJobProtocol;

namespace ResponsysCluster.Engine.Runs;

/// <summary>
/// One replication of a connection: list the directory, ask each table's bookmark what is pending, infer the
/// columns of tables with work, hand the files to the workers (each busy with one file at a time), and tell
/// the bookmark about each file after its transaction committed. Runs as a task of the scheduler actor.
/// </summary>
public sealed class ConnectionRun(
    ConnectionConfig config, IActorRef bookmarks, IReadOnlyList<IActorRef> workers,
    Func<CancellationToken, Task<IExportDirectory>> connect, RunRecords records, ILogger logger, TimeProvider clock)
{
    private readonly Guid runId = Guid.NewGuid();

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FileTimeout = TimeSpan.FromHours(6);

    public async Task<RunReport> ExecuteAsync(IReadOnlyCollection<string>? selectedTables, CancellationToken cancellationToken)
    {
        var startedAt = clock.GetUtcNow();
        var stopwatch = Stopwatch.StartNew();
        var reports = new List<TableLoadReport>();
        try
        {
            await using var directory = await connect(cancellationToken).ConfigureAwait(false);
            await StepAsync("connect", $"connected to {config.Host}:{config.Port} as {config.Username}").ConfigureAwait(false);
            var files = await directory.ListAsync(cancellationToken).ConfigureAwait(false);
            await StepAsync("list", $"{files.Count} files in {config.Path}").ConfigureAwait(false);
            var listing = ExportListing.From(files);
            await StepAsync("tables", $"tables found: {string.Join(", ", listing.Tables)}").ConfigureAwait(false);
            var unknown = selectedTables?.Except(listing.Tables, StringComparer.Ordinal).ToList() ?? [];
            var errors = unknown.Select(t => $"table {t} has no ready file in {config.Path}").ToList();
            foreach (var table in listing.Tables.Where(t => selectedTables is null || selectedTables.Contains(t)))
                reports.Add(await RunTableAsync(directory, table, listing.FilesOf(table), cancellationToken).ConfigureAwait(false));
            return await FinishAsync(new RunReport(config.ConnectionId, runId, startedAt, stopwatch.Elapsed, reports, errors)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is Sftp.SftpAccessException or ConfigException or IOException or AskTimeoutException)
        {
            await StepAsync("run failed", ex.Message).ConfigureAwait(false);
            return await FinishAsync(new RunReport(config.ConnectionId, runId, startedAt, stopwatch.Elapsed, reports, [ex.Message])).ConfigureAwait(false);
        }
    }

    private async Task<RunReport> FinishAsync(RunReport report)
    {
        try
        {
            await records.SaveReportAsync(runId, report.StartedAt, report.Tables.Select(t => new TableReportRow(t.Table, t.FilesLoaded,
                t.FilesAlreadyLoaded, t.FilesFailed, t.FilesWaiting, t.FilesAbandoned, t.RowsLoaded, t.RowsReplaced, t.Bytes, t.Duration, t.Errors)),
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (Npgsql.NpgsqlException ex)
        {
            logger.LogWarning("The loading report of run {RunId} could not be saved: {Error}", runId, ex.Message);
        }
        return report;
    }

    /// <summary>Logs a step and keeps it in the run's extraction log; a database hiccup here never fails the run.</summary>
    private async Task StepAsync(string step, string message, string? table = null, string? path = null, bool error = false)
    {
        logger.Log(error ? LogLevel.Error : LogLevel.Information, "Run {RunId} {Step}: {Message}", runId, step, message);
        try
        {
            await records.StepAsync(runId, step, message, table, path).ConfigureAwait(false);
        }
        catch (Npgsql.NpgsqlException ex)
        {
            logger.LogWarning("Extraction log of run {RunId} not written: {Error}", runId, ex.Message);
        }
    }

    private async Task<TableLoadReport> RunTableAsync(IExportDirectory directory, string table, IReadOnlyList<DataFile> files, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var state = await bookmarks.Ask<BookmarkState>(new GetBookmark(config.ConnectionId, table), AskTimeout, cancellationToken).ConfigureAwait(false);
        var plan = TableSyncPlan.Create(files, state.Bookmark, clock.GetUtcNow(), config.ReadyTimeout);
        await StepAsync("files pending", $"{plan.ToRead.Count} files pending, {plan.Waiting.Count} waiting for their ready file, {plan.Abandoned.Count} abandoned", table).ConfigureAwait(false);
        foreach (var waiting in plan.Waiting)
            await StepAsync("file waiting", "no ready file yet; left for a later run", table, waiting.File.Path).ConfigureAwait(false);
        foreach (var abandoned in plan.Abandoned)
            await StepAsync("file abandoned", $"no ready file within {config.ReadyTimeout} of its mtime", table, abandoned.File.Path).ConfigureAwait(false);
        if (plan.ToRead.Count == 0)
            return new TableLoadReport(table, 0, 0, 0, plan.Waiting.Count, plan.Abandoned.Count, 0, 0, 0, stopwatch.Elapsed, []);

        var sample = await TableSampler.SampleAsync(directory, files, CsvFormat.Of(config), config.SampleFiles, config.SampleRows,
            (file, ex) => logger.LogWarning("Could not sample {File}: {Reason}", file.Path, ex.Message), cancellationToken).ConfigureAwait(false);

        var stillToDo = plan.Holding.ToHashSet();
        var pending = new Queue<DataFile>(plan.ToRead);
        var idle = new Queue<IActorRef>(workers);
        var running = new Dictionary<Task<object>, IActorRef>();
        int loaded = 0, skipped = 0;
        long rows = 0, replaced = 0, bytes = 0;
        var errors = new List<string>();

        while (pending.Count > 0 || running.Count > 0)
        {
            while (pending.Count > 0 && idle.Count > 0)
            {
                var file = pending.Dequeue();
                var next = idle.Dequeue();
                await StepAsync("file started", $"{file.File.Size} bytes, modified {file.File.Modified:O}", table, file.File.Path).ConfigureAwait(false);
                running.Add(AskWorkerAsync(next, new LoadFile(config.ConnectionId, table, file.File, file.ReadyFile!, sample.Columns), cancellationToken), next);
            }

            var finished = await Task.WhenAny(running.Keys).ConfigureAwait(false);
            running.Remove(finished, out var worker);
            idle.Enqueue(worker!);
            switch (await finished.ConfigureAwait(false))
            {
                case FileJobSucceeded success:
                    stillToDo.Remove(success.Job.File.Version);
                    // The bookmark moves only after the commit; a crash in between replays into the ledger check.
                    await bookmarks.Ask<BookmarkState>(new CompleteFileVersion(config.ConnectionId, table, success.Job.File.Version, [.. stillToDo]),
                        AskTimeout, cancellationToken).ConfigureAwait(false);
                    if (success.AlreadyLoaded) skipped++;
                    else loaded++;
                    rows += success.AlreadyLoaded ? 0 : success.RowsLoaded;
                    replaced += success.RowsReplaced;
                    bytes += success.Job.File.Size;
                    await StepAsync("file finished", success.AlreadyLoaded
                        ? "already loaded (in the ledger): skipped"
                        : $"{success.RowsLoaded} rows loaded, {success.RowsReplaced} replaced in {success.Duration.TotalSeconds:F1} s; " +
                          DescribeRecordCount(success.RecordCount, success.RowsLoaded), table, success.Job.File.Path).ConfigureAwait(false);
                    break;
                case FileJobFailed failure:
                    errors.Add(failure.Error);
                    await StepAsync("file failed", failure.Error + " (not bookmarked; read again on the next run)", table, failure.Job.File.Path, error: true).ConfigureAwait(false);
                    break;
            }
        }

        return new TableLoadReport(table, loaded, skipped, errors.Count, plan.Waiting.Count, plan.Abandoned.Count,
            rows, replaced, bytes, stopwatch.Elapsed, errors);
    }

    /// <summary>Which count the ready file's record count matched: Responsys does not say whether it counts the header row.</summary>
    private static string DescribeRecordCount(RecordCountOutcome? outcome, long records) => outcome switch
    {
        RecordCountOutcome.MatchesRecords => $"the ready file's count {records} matches the records without the header row",
        RecordCountOutcome.MatchesRecordsAndHeader => $"the ready file's count {records + 1} matches the records with the header row",
        _ => "the ready file carries no record count",
    };

    /// <summary>The worker's answer; a timeout or a stopped worker becomes a failure of the file, never of the run.</summary>
    private static async Task<object> AskWorkerAsync(IActorRef worker, LoadFile job, CancellationToken cancellationToken)
    {
        try
        {
            return await worker.Ask<object>(job, FileTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AskTimeoutException or OperationCanceledException)
        {
            return new FileJobFailed(job, $"{job.File.Path}: {ex.Message}", TimeSpan.Zero);
        }
    }
}
