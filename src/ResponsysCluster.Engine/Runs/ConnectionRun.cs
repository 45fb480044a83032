using System.Diagnostics;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Sync;
using ResponsysCluster.Engine.Bookmarks;
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
    Func<CancellationToken, Task<IExportDirectory>> connect, ILogger logger, TimeProvider clock)
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FileTimeout = TimeSpan.FromHours(6);

    public async Task<RunReport> ExecuteAsync(IReadOnlyCollection<string>? selectedTables, CancellationToken cancellationToken)
    {
        var runId = Guid.NewGuid();
        var startedAt = clock.GetUtcNow();
        var stopwatch = Stopwatch.StartNew();
        var reports = new List<TableLoadReport>();
        try
        {
            await using var directory = await connect(cancellationToken).ConfigureAwait(false);
            var listing = ExportListing.From(await directory.ListAsync(cancellationToken).ConfigureAwait(false));
            logger.LogInformation("Run {RunId}: tables found: {Tables}", runId, string.Join(", ", listing.Tables));
            var unknown = selectedTables?.Except(listing.Tables, StringComparer.Ordinal).ToList() ?? [];
            var errors = unknown.Select(t => $"table {t} has no ready file in {config.Path}").ToList();
            foreach (var table in listing.Tables.Where(t => selectedTables is null || selectedTables.Contains(t)))
                reports.Add(await RunTableAsync(directory, table, listing.FilesOf(table), cancellationToken).ConfigureAwait(false));
            return new RunReport(config.ConnectionId, runId, startedAt, stopwatch.Elapsed, reports, errors);
        }
        catch (Exception ex) when (ex is Sftp.SftpAccessException or ConfigException or IOException or AskTimeoutException)
        {
            logger.LogError("Run {RunId} failed: {Error}", runId, ex.Message);
            return new RunReport(config.ConnectionId, runId, startedAt, stopwatch.Elapsed, reports, [ex.Message]);
        }
    }

    private async Task<TableLoadReport> RunTableAsync(IExportDirectory directory, string table, IReadOnlyList<DataFile> files, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var state = await bookmarks.Ask<BookmarkState>(new GetBookmark(config.ConnectionId, table), AskTimeout, cancellationToken).ConfigureAwait(false);
        var plan = TableSyncPlan.Create(files, state.Bookmark, clock.GetUtcNow(), config.ReadyTimeout);
        logger.LogInformation("{Table}: {ToRead} files pending, {Waiting} waiting for their ready file, {Abandoned} abandoned",
            table, plan.ToRead.Count, plan.Waiting.Count, plan.Abandoned.Count);
        foreach (var abandoned in plan.Abandoned)
            logger.LogWarning("{File} is abandoned: no ready file within {Timeout} of its mtime", abandoned.File.Path, config.ReadyTimeout);
        if (plan.ToRead.Count == 0)
            return new TableLoadReport(table, 0, 0, 0, plan.Waiting.Count, plan.Abandoned.Count, 0, 0, 0, stopwatch.Elapsed, []);

        var sample = await TableSampler.SampleAsync(directory, files, CsvFormat.Of(config), config.SampleFiles, config.SampleRows,
            (file, ex) => logger.LogWarning("Could not sample {File}: {Reason}", file.Path, ex.Message), cancellationToken).ConfigureAwait(false);

        var stillToDo = plan.Holding.ToHashSet();
        var pending = new Queue<DataFile>(plan.ToRead);
        var idle = new Queue<IActorRef>(workers);
        var running = new List<Task<object>>();
        int loaded = 0, skipped = 0;
        long rows = 0, replaced = 0, bytes = 0;
        var errors = new List<string>();

        while (pending.Count > 0 || running.Count > 0)
        {
            while (pending.Count > 0 && idle.Count > 0)
            {
                var file = pending.Dequeue();
                var next = idle.Dequeue();
                logger.LogInformation("{File}: started", file.File.Path);
                running.Add(AskWorkerAsync(next, new LoadFile(config.ConnectionId, table, file.File, file.ReadyFile!, sample.Columns), cancellationToken));
            }

            var finished = await Task.WhenAny(running).ConfigureAwait(false);
            running.Remove(finished);
            var (_, worker) = ((LoadFile Job, IActorRef Worker))finished.AsyncState!;
            idle.Enqueue(worker);
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
                    logger.LogInformation("{File}: finished, {Rows} rows{Note}", success.Job.File.Path, success.RowsLoaded,
                        success.AlreadyLoaded ? " (already loaded)" : "");
                    break;
                case FileJobFailed failure:
                    errors.Add(failure.Error);
                    logger.LogError("File failed, not bookmarked: {Error}", failure.Error);
                    break;
            }
        }

        return new TableLoadReport(table, loaded, skipped, errors.Count, plan.Waiting.Count, plan.Abandoned.Count,
            rows, replaced, bytes, stopwatch.Elapsed, errors);
    }

    private static Task<object> AskWorkerAsync(IActorRef worker, LoadFile job, CancellationToken cancellationToken)
    {
        var source = new TaskCompletionSource<object>((job, worker));
        worker.Ask<object>(job, FileTimeout, cancellationToken).ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully) source.SetResult(t.Result);
            else source.SetResult(new FileJobFailed(job, $"{job.File.Path}: {t.Exception?.GetBaseException().Message ?? "cancelled"}", TimeSpan.Zero));
        }, TaskScheduler.Default);
        return source.Task;
    }
}
