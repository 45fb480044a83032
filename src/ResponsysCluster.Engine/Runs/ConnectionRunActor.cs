using System.Diagnostics;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Bookmarks;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Ports;
using ResponsysCluster.Domain.Schema;
using ResponsysCluster.Domain.Sync;
using static ResponsysCluster.Engine.Bookmarks.TableBookmarkProtocol;
using static ResponsysCluster.Engine.Files.FileJobProtocol;
using static ResponsysCluster.Engine.Runs.ConnectionRunProtocol;
using Step = ResponsysCluster.Engine.Runs.ExtractionLogActor.Step;

namespace ResponsysCluster.Engine.Runs;

/// <summary>
/// One replication of a connection. It takes the connection's run lock (when its ports have one), lists the directory once, asks every table's bookmark what is pending,
/// samples the columns of tables the database does not know yet, and queues the pending files of all tables;
/// it announces them to the file workers, which pull the jobs one at a time (up to <c>max_concurrent_downloads</c>
/// at once, wherever the workers run). A job whose worker stops
/// or times out goes back to the queue as a later attempt. After each commit the bookmark is told, and the run ends
/// only when every bookmark has confirmed. It then sends <see cref="RunFinished"/> to its parent and stops.
/// </summary>
public sealed class ConnectionRunActor : ReceiveActor, IWithTimers
{
    private const string BookmarkTimer = "bookmarks";

    private readonly RunStart start;
    private readonly ConnectionConfig config;
    private readonly TimeProvider clock;
    private readonly ILogger logger;
    private bool lockHeld;
    private readonly DateTimeOffset startedAt;
    private readonly Stopwatch stopwatch = Stopwatch.StartNew();
    private readonly CancellationTokenSource stopping = new();
    private readonly FileJobQueue<IActorRef> queue;
    private readonly Dictionary<string, TableTally> tallies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TableBookmark> bookmarks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<FileVersion>> holding = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TableSyncPlan> plans = new(StringComparer.Ordinal);
    private readonly List<string> errors = [];
    private IActorRef log = ActorRefs.Nobody;
    private IExportDirectory? directory;
    private ExportListing listing = ExportListing.From([]);
    private List<string> tables = [];
    private bool preparing;
    private int unconfirmed;
    private RunReport? report;
    private bool failedToConnect;
    private readonly HeldUntilReleased lease = new();
    private readonly HeldUntilReleased session = new();

    public ConnectionRunActor(RunStart start, TimeProvider clock, ILogger logger)
    {
        this.start = start;
        config = start.Config;
        this.clock = clock;
        this.logger = logger;
        startedAt = clock.GetUtcNow();
        queue = new FileJobQueue<IActorRef>(config.MaxConcurrentDownloads, start.Limits.MaxAttempts);
        Become(Listing);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(RunStart start, TimeProvider clock, ILogger logger) =>
        Akka.Actor.Props.Create(() => new ConnectionRunActor(start, clock, logger));

    protected override void PreStart()
    {
        log = Context.ActorOf(ExtractionLogActor.Props(start.Ports.Records, start.RunId, logger), "extraction-log");
        ConnectAndListAsync(Self, stopping.Token).PipeTo(Self, failure: ex => new RunFailed(FailureText.Of(ex)));
    }

    protected override void PostStop()
    {
        stopping.Cancel();
        stopping.Dispose();
        lease.ReleaseAsync().AsTask().ContinueWith(_ => { }, TaskScheduler.Default);
        session.ReleaseAsync().AsTask().ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task<object> ConnectAndListAsync(IActorRef self, CancellationToken cancellationToken)
    {
        if (start.Ports.RunLock is { } runLock)
        {
            var attempt = await runLock.TryTakeAsync(cancellationToken).ConfigureAwait(false);
            if (attempt.Lease is null) return new RunRefused(attempt.HeldBy!);
            await lease.HoldAsync(attempt.Lease).ConfigureAwait(false);
        }
        var connected = await start.Ports.Directory.ConnectAsync(cancellationToken).ConfigureAwait(false);
        // Held before it is told: a run stopped meanwhile would never hear of it, and the session would stay open.
        await session.HoldAsync(connected).ConfigureAwait(false);
        self.Tell(new Connected(connected));
        return new Listed(await connected.ListAsync(cancellationToken).ConfigureAwait(false));
    }

    // ---- Listing: connect, list, find the tables.

    private void Listing()
    {
        Receive<Connected>(connected =>
        {
            directory = connected.Directory;
            Write("connect", $"connected to {config.Host}:{config.Port} as {config.Username}");
        });
        Receive<Listed>(HandleListed);
        Receive<RunRefused>(refused =>
        {
            lockHeld = true;
            FailRun(refused.Reason);
        });
        Receive<RunFailed>(failed =>
        {
            failedToConnect = true;
            FailRun(failed.Reason);
        });
    }

    private void HandleListed(Listed listed)
    {
        Write("list", $"{listed.Files.Count} files in {config.Path}");
        listing = ExportListing.From(listed.Files);
        Write("tables", $"tables found: {string.Join(", ", listing.Tables)}");
        var selected = start.Tables;
        errors.AddRange((selected ?? []).Except(listing.Tables, StringComparer.Ordinal).Select(t => $"table {t} has no ready file in {config.Path}"));
        errors.AddRange((selected ?? []).Where(t => !config.Selects(t)).Select(t => $"table {t} is not among the connection's tables"));
        tables = listing.Tables.Where(t => config.Selects(t) && (selected is null || selected.Contains(t))).ToList();
        if (tables.Count == 0)
        {
            Finish();
            return;
        }
        foreach (var table in tables) start.Bookmarks.Tell(new GetBookmark(config.ConnectionId, table));
        Timers.StartSingleTimer(BookmarkTimer, BookmarksLate.Instance, start.Limits.BookmarkTimeout);
        Become(AskingBookmarks);
    }

    // ---- AskingBookmarks: every table's bookmark, then the plan of each table.

    private void AskingBookmarks()
    {
        Receive<BookmarkState>(state =>
        {
            bookmarks[state.Table] = state.Bookmark;
            if (bookmarks.Count < tables.Count) return;
            Timers.Cancel(BookmarkTimer);
            Plan();
        });
        Receive<BookmarksLate>(_ => FailRun(
            $"the bookmarks of {string.Join(", ", tables.Where(t => !bookmarks.ContainsKey(t)))} did not answer within {start.Limits.BookmarkTimeout}"));
    }

    private void Plan()
    {
        var now = clock.GetUtcNow();
        foreach (var table in tables)
        {
            var plan = TableSyncPlan.Create(listing.FilesOf(table), bookmarks[table], now, config.ReadyTimeout);
            plans[table] = plan;
            holding[table] = plan.Holding.ToHashSet();
            tallies[table] = new TableTally(table, plan.Waiting.Count, plan.Abandoned.Count);
            Write("files pending", $"{plan.ToRead.Count} files pending, {plan.Waiting.Count} waiting for their ready file, {plan.Abandoned.Count} abandoned", table);
            foreach (var waiting in plan.Waiting)
                Write("file waiting", "no ready file yet; left for a later run", table, waiting.File.Path);
            foreach (var abandoned in plan.Abandoned)
                Write("file abandoned", $"no ready file within {config.ReadyTimeout} of its mtime", table, abandoned.File.Path);
        }
        var withWork = tables.Where(t => plans[t].ToRead.Count > 0).ToList();
        Become(Loading);
        if (withWork.Count == 0)
        {
            TryFinish();
            return;
        }
        preparing = true;
        PrepareAsync(withWork, Self, stopping.Token).PipeTo(Self, failure: ex => new RunFailed(FailureText.Of(ex)));
    }

    /// <summary>Samples each table the database has no columns for; the others load with the columns they have.</summary>
    private async Task<object> PrepareAsync(IReadOnlyList<string> withWork, IActorRef self, CancellationToken cancellationToken)
    {
        foreach (var table in withWork)
        {
            try
            {
                IReadOnlyList<Column> columns = [];
                if (!await start.Ports.Store.HasColumnsAsync(table, cancellationToken).ConfigureAwait(false))
                {
                    var sample = await TableSampler.SampleAsync(directory!, listing.FilesOf(table), CsvFormat.Of(config), config.SampleFiles,
                        config.SampleRows, (file, ex) => logger.LogWarning("Could not sample {File}: {Reason}", file.Path, ex.Message),
                        cancellationToken).ConfigureAwait(false);
                    columns = sample.Columns;
                }
                self.Tell(new TablePrepared(table, columns, null));
            }
            catch (Exception ex) when (ex is DatabaseUnavailableException or ExportDirectoryUnavailableException or IOException)
            {
                self.Tell(new TablePrepared(table, [], ex.Message));
            }
        }
        return PreparationDone.Instance;
    }

    // ---- Loading: workers pull jobs; results tell the bookmarks; lost jobs go back to the queue.

    private void Loading()
    {
        Receive<TablePrepared>(HandleTablePrepared);
        Receive<PreparationDone>(_ =>
        {
            preparing = false;
            session.ReleaseAsync().AsTask().ContinueWith(_ => { }, TaskScheduler.Default);
            directory = null;
            TryFinish();
        });
        Receive<RunFailed>(failed =>
        {
            // Preparing failed as a whole: what is queued still loads; the run reports the error.
            errors.Add(failed.Reason);
            Write("run failed", failed.Reason, error: true);
            Self.Tell(PreparationDone.Instance);
        });
        Receive<RequestWork>(request =>
        {
            if (request.RunId != start.RunId) return;
            var jobs = queue.Take(Sender, request.MaxFiles);
            if (jobs.Count == 0) Sender.Tell(new NoWorkNow(start.RunId));
            else Hand(Sender, jobs);
        });
        Receive<FileJobSucceeded>(HandleSucceeded);
        Receive<FileJobFailed>(HandleFailed);
        Receive<Terminated>(terminated => HandleLost(terminated.ActorRef, "stopped"));
        Receive<JobLate>(late =>
        {
            if (queue.Holds(late.Worker, late.Job)) HandleLost(late.Worker, $"did not finish within {start.Limits.JobTimeout}");
        });
        Receive<BookmarkState>(_ =>
        {
            unconfirmed--;
            TryFinish();
        });
        Receive<BookmarksLate>(_ =>
        {
            errors.Add($"the bookmarks did not confirm {unconfirmed} loaded files within {start.Limits.BookmarkTimeout}; " +
                "the next run finds them in the ledger");
            unconfirmed = 0;
            TryFinish();
        });
    }

    private void HandleTablePrepared(TablePrepared prepared)
    {
        var plan = plans[prepared.Table];
        if (prepared.Error is { } error)
        {
            foreach (var file in plan.ToRead)
            {
                TallyFailure(prepared.Table, $"{file.File.Path}: {error}");
                Write("file failed", error + " (not bookmarked; read again on the next run)", prepared.Table, file.File.Path, error: true);
            }
            return;
        }
        queue.Enqueue(plan.ToRead.Select(file =>
            new FileJob(start.RunId, config.ConnectionId, prepared.Table, file.File, file.ReadyFile!, prepared.Columns, 1, config.ColumnsOf(prepared.Table))));
        AnnounceWork();
    }

    /// <summary>Tells the workers there is a job to pull, whenever one is queued and the connection's cap leaves room.</summary>
    private void AnnounceWork()
    {
        if (queue.HasWorkToHand) start.Workers.Tell(new WorkAvailable(start.RunId, config.ConnectionId), Self);
    }

    private void Hand(IActorRef worker, IReadOnlyList<FileJob> jobs)
    {
        Context.Watch(worker);
        foreach (var job in jobs)
        {
            Timers.StartSingleTimer(JobTimerKey(job), new JobLate(worker, job), start.Limits.JobTimeout);
            Write("file started", $"{job.File.Size} bytes, modified {job.File.Modified:O}" + (job.Attempt > 1 ? $", attempt {job.Attempt}" : "") +
                (jobs.Count > 1 ? $", in a batch of {jobs.Count} files" : ""), job.Table, job.File.Path);
        }
        worker.Tell(jobs.Count == 1 ? jobs[0] : new FileJobBatch(jobs));
    }

    private void HandleSucceeded(FileJobSucceeded success)
    {
        if (!Accept(success.Job)) return;
        var (table, version) = (success.Job.Table, success.Job.File.Version);
        holding[table].Remove(version);
        // The bookmark moves only after the commit; a crash in between replays into the ledger check.
        start.Bookmarks.Tell(new CompleteFileVersion(config.ConnectionId, table, version, [.. holding[table]]));
        unconfirmed++;
        tallies[table].Succeeded(success);
        EngineMetrics.FileSucceeded(success, clock.GetUtcNow());
        if (success.SkippedBecause is { } why) Write("file skipped", why, table, success.Job.File.Path);
        else
            Write("file finished", success.AlreadyLoaded
                ? "already loaded (in the ledger): skipped"
                : $"{success.RowsLoaded} rows loaded, {success.RowsReplaced} replaced in {success.Duration.TotalSeconds:F1} s; " +
                  RecordCountCheck.Describe(success.RecordCount, success.RowsLoaded) + string.Concat(success.Notes.Select(note => "; " + note)),
                table, success.Job.File.Path);
        AnnounceWork();
        TryFinish();
    }

    private void HandleFailed(FileJobFailed failure)
    {
        if (!Accept(failure.Job)) return;
        TallyFailure(failure.Job.Table, failure.Failure.Message);
        Write("file failed", failure.Failure.Message + " (not bookmarked; read again on the next run)", failure.Job.Table, failure.Job.File.Path, error: true);
        AnnounceWork();
        TryFinish();
    }

    /// <summary>A file the run reports failed: in its table's line of the report and in the metrics.</summary>
    private void TallyFailure(string table, string error)
    {
        tallies[table].Failed(error);
        EngineMetrics.FileFailed(config.ConnectionId, table);
    }

    /// <summary>Takes a worker's result for the attempt it holds; a result of an attempt already given back is ignored.</summary>
    private bool Accept(FileJob job)
    {
        if (!queue.Finish(Sender, job)) return false;
        Timers.Cancel(JobTimerKey(job));
        return true;
    }

    private void HandleLost(IActorRef worker, string why)
    {
        var lost = queue.Lose(worker);
        foreach (var (job, retry) in lost)
        {
            Timers.Cancel(JobTimerKey(job));
            if (retry is null)
            {
                var reason = $"{job.File.Path}: the worker loading it {why}, {job.Attempt} attempts in all; not bookmarked, read again on the next run";
                TallyFailure(job.Table, reason);
                Write("file failed", reason, job.Table, job.File.Path, error: true);
            }
            else
            {
                Write("file requeued", $"the worker loading it {why}; offered again as attempt {retry.Attempt}", job.Table, job.File.Path);
            }
        }
        if (lost.Count == 0) return;
        AnnounceWork();
        TryFinish();
    }

    private void TryFinish()
    {
        if (preparing || !queue.IsDrained) return;
        if (unconfirmed > 0)
        {
            if (!Timers.IsTimerActive(BookmarkTimer)) Timers.StartSingleTimer(BookmarkTimer, BookmarksLate.Instance, start.Limits.BookmarkTimeout);
            return;
        }
        Timers.Cancel(BookmarkTimer);
        Finish();
    }

    private void FailRun(string reason)
    {
        errors.Add(reason);
        Write("run failed", reason, error: true);
        Finish();
    }

    // ---- Finishing: the log written, the report saved, the parent told.

    private void Finish()
    {
        report = new RunReport(config.ConnectionId, start.RunId, startedAt, stopwatch.Elapsed,
            tables.Where(tallies.ContainsKey).Select(t => tallies[t].Report()).ToList(), [.. errors], failedToConnect, lockHeld);
        EngineMetrics.RunEnded(report);
        log.Tell(ExtractionLogActor.Flush.Instance);
        Become(Finishing);
    }

    private void Finishing()
    {
        Receive<ExtractionLogActor.Flushed>(_ => SaveReportAsync(report!).PipeTo(Self));
        Receive<ReportSaved>(_ =>
        {
            Context.Parent.Tell(new RunFinished(report!));
            Context.Stop(Self);
        });
        Receive<RequestWork>(request => Sender.Tell(new NoWorkNow(request.RunId)));
        // Late answers of workers and bookmarks: the run is over.
        ReceiveAny(_ => { });
    }

    private async Task<ReportSaved> SaveReportAsync(RunReport finished)
    {
        try
        {
            await start.Ports.Records.SaveReportAsync(start.RunId, finished.StartedAt, [.. finished.Tables.Select(t => new TableReportRow(t.Table,
                t.FilesLoaded, t.FilesAlreadyLoaded, t.FilesFailed, t.FilesWaiting, t.FilesAbandoned, t.RowsLoaded, t.RowsReplaced, t.Bytes,
                t.Duration, t.Errors))], finished.Errors, CancellationToken.None).ConfigureAwait(false);
        }
        catch (DatabaseUnavailableException ex)
        {
            logger.LogWarning("The loading report of run {RunId} could not be saved: {Error}", start.RunId, ex.Message);
        }
        return ReportSaved.Instance;
    }

    private void Write(string step, string message, string? table = null, string? path = null, bool error = false) =>
        log.Tell(new Step(step, message, table, path, error));

    private static string JobTimerKey(FileJob job) => $"job|{job.Table}|{job.File.Path}|{job.Attempt}";

    private sealed record Connected(IExportDirectory Directory) : INoSerializationVerificationNeeded;

    private sealed record Listed(IReadOnlyList<RemoteFile> Files) : INoSerializationVerificationNeeded;

    private sealed record RunFailed(string Reason) : INoSerializationVerificationNeeded;

    /// <summary>Another run of the connection holds its run lock: this one loads nothing.</summary>
    private sealed record RunRefused(string Reason) : INoSerializationVerificationNeeded;

    private sealed record TablePrepared(string Table, IReadOnlyList<Column> Columns, string? Error) : INoSerializationVerificationNeeded;

    private sealed record PreparationDone : INoSerializationVerificationNeeded
    {
        public static readonly PreparationDone Instance = new();
    }

    private sealed record BookmarksLate : INoSerializationVerificationNeeded
    {
        public static readonly BookmarksLate Instance = new();
    }

    private sealed record JobLate(IActorRef Worker, FileJob Job) : INoSerializationVerificationNeeded;

    private sealed record ReportSaved : INoSerializationVerificationNeeded
    {
        public static readonly ReportSaved Instance = new();
    }
}
