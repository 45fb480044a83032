using System.Collections.Concurrent;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Microsoft.Extensions.Logging;
using ResponsysCluster.Domain.Bookmarks;
using ResponsysCluster.Engine.Bookmarks;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Ports;
using ResponsysCluster.Domain.Schema;
using ResponsysCluster.Engine.Runs;
using ResponsysCluster.Engine.Tests.Fakes;
using static ResponsysCluster.Engine.Bookmarks.TableBookmarkProtocol;
using static ResponsysCluster.Engine.Files.FileJobProtocol;
using static ResponsysCluster.Engine.Runs.ConnectionRunProtocol;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// The run's protocol with probes as workers, a bookmark stub and in-memory ports: no server, milliseconds each.
/// </summary>
public sealed class ConnectionRunActorTests : TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private readonly InMemoryExportDirectory directory = new();
    private readonly RecordingStore store = new();
    private readonly ConcurrentQueue<CompleteFileVersion> completed = new();
    private readonly Guid runId = Guid.NewGuid();

    private IActorRef StartRun(IReadOnlyList<TestProbe> workers, RunLimits? limits = null, IActorRef? bookmarks = null,
        IReadOnlyCollection<string>? tables = null, TimeProvider? clock = null, int? maxDownloads = null, IExportDirectoryConnector? connector = null,
        IConnectionRunLock? runLock = null, IReadOnlyList<string>? selection = null)
    {
        var config = new ConnectionConfig
        {
            Host = "files.example.com", Username = "u", Path = InMemoryExportDirectory.Path, ConnectionId = "c",
            MaxConcurrentDownloads = maxDownloads ?? workers.Count, Tables = selection,
        };
        // The run announces its work to every worker probe, as a node's pool passes it on to its workers.
        var announce = Sys.ActorOf(Props.Create(() => new Broadcast(workers.Select(w => w.Ref).ToList())));
        var start = new RunStart(runId, config, new ConnectionPorts(connector ?? directory, store, store, runLock), bookmarks ?? Sys.ActorOf(BookmarkStub.Props(completed)),
            announce, tables, limits ?? RunLimits.Default);
        // ChildActorOf: the run's parent forwards what the run tells it (RunFinished) to the test actor.
        return ChildActorOf(ConnectionRunActor.Props(start, clock ?? TimeProvider.System, logger));
    }

    /// <summary>What the run and its extraction log logged, with the level of each line.</summary>
    private readonly ListLogger logger = new();

    private LogLevel LevelOf(string text) => logger.Lines.Single(l => l.Text.Contains(text, StringComparison.Ordinal)).Level;

    private List<TestProbe> Probes(int count) => Enumerable.Range(0, count).Select(_ => CreateTestProbe()).ToList();

    /// <summary>
    /// The probe works as a file worker does: it asks the run each time the run announces work, until the run hands
    /// it a job (announcements and "no work now" answers on the way are passed over).
    /// </summary>
    private async Task<FileJob> TakeJobAsync(TestProbe worker)
    {
        while (true)
        {
            switch (await worker.ReceiveOneAsync(Wait) ?? throw new TimeoutException("no job was handed to the worker"))
            {
                case WorkAvailable work:
                    Assert.Equal((runId, "c"), (work.RunId, work.ConnectionId));
                    worker.Reply(new RequestWork(runId));
                    break;
                case FileJob job:
                    return job;
                case NoWorkNow none:
                    Assert.Equal(runId, none.RunId);
                    break;
                case var other:
                    throw new InvalidOperationException($"unexpected {other}");
            }
        }
    }

    /// <summary>For a while the probe asks whenever the run announces work, and is handed nothing.</summary>
    private async Task ExpectNoJobAsync(TestProbe worker)
    {
        var until = DateTime.UtcNow.AddMilliseconds(200);
        while (until - DateTime.UtcNow is var left && left > TimeSpan.Zero && await worker.ReceiveOneAsync(left) is { } message)
        {
            Assert.IsNotType<FileJob>(message);
            if (message is WorkAvailable) worker.Reply(new RequestWork(runId));
        }
    }

    private static FileJobSucceeded Loaded(FileJob job, long rows = 1) =>
        new(job, false, rows, 0, [], TimeSpan.FromMilliseconds(5), RecordCountOutcome.MatchesRecords);

    private Task<RunReport> FinishedAsync() => ExpectMsgAsync<RunFinished>(Wait).AsTask().ContinueWith(t => t.Result.Report);

    [Fact(Timeout = 30_000)]
    public async Task Should_have_jobs_of_three_tables_in_flight_at_once()
    {
        directory.WithExport("A_20240301.csv", "ID\n1\n").WithExport("B_20240301.csv", "ID\n1\n", 1).WithExport("C_20240301.csv", "ID\n1\n", 2);
        foreach (var table in new[] { "A", "B", "C" }) store.TablesWithColumns[table] = true;
        var workers = Probes(3);
        StartRun(workers);

        var jobs = new List<FileJob>();
        foreach (var worker in workers) jobs.Add(await TakeJobAsync(worker));
        // All three handed out before any answer: files of different tables run side by side.
        Assert.Equal(["A", "B", "C"], jobs.Select(j => j.Table).Order());

        for (var i = 0; i < 3; i++) workers[i].Reply(Loaded(jobs[i]));
        var report = await FinishedAsync();
        Assert.All(report.Tables, t => Assert.Equal(1, t.FilesLoaded));
        Assert.Equal(["A", "B", "C"], completed.Select(c => c.Table).Order());
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_tell_a_worker_it_has_no_job_for_at_once_and_announce_the_job_when_one_frees()
    {
        directory.WithExport("A_20240301.csv", "ID\n1\n").WithExport("A_20240302.csv", "ID\n1\n", 1);
        store.TablesWithColumns["A"] = true;
        var workers = Probes(2);
        var run = StartRun(workers, maxDownloads: 1);
        var first = await TakeJobAsync(workers[0]);

        // At the cap: the second worker's request is answered with "no work now", not kept waiting.
        run.Tell(new RequestWork(runId), workers[1].Ref);
        await workers[1].FishForMessageAsync<NoWorkNow>(m => m.RunId == runId, Wait);
        workers[0].Reply(Loaded(first));
        await workers[1].FishForMessageAsync<WorkAvailable>(m => m.RunId == runId, Wait);
        workers[1].Reply(new RequestWork(runId));
        Assert.Equal("A_20240302.csv", (await workers[1].ExpectMsgAsync<FileJob>(Wait)).File.Name);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_load_nothing_and_say_who_runs_the_connection_when_its_run_lock_is_held()
    {
        directory.WithExport("A_20240301.csv", "ID\n1\n");
        store.TablesWithColumns["A"] = true;
        var runLock = new CountingRunLock("another run of connection c is in progress: node b since 2024-03-01T08:00:00Z");
        var worker = Probes(1)[0];
        StartRun([worker], runLock: runLock);

        var report = await FinishedAsync();
        Assert.Equal("another run of connection c is in progress: node b since 2024-03-01T08:00:00Z", Assert.Single(report.Errors));
        Assert.False(report.FailedToConnect);
        Assert.Empty(report.Tables);
        Assert.Equal(0, directory.Connects);
        Assert.Equal(["run failed"], store.Steps.Select(s => s.Step));
        await worker.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_hold_the_run_lock_while_it_runs_and_release_it_when_it_stops()
    {
        directory.WithExport("A_20240301.csv", "ID\n1\n");
        store.TablesWithColumns["A"] = true;
        var runLock = new CountingRunLock(null);
        var worker = Probes(1)[0];
        StartRun([worker], runLock: runLock);
        var job = await TakeJobAsync(worker);
        Assert.Equal((1, 0), (runLock.Taken, runLock.Released));

        worker.Reply(Loaded(job));
        await FinishedAsync();
        await AwaitConditionAsync(() => Task.FromResult(runLock.Released == 1), Wait);
        Assert.Equal(1, runLock.Taken);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_offer_the_job_of_a_worker_that_stopped_again_and_load_it_once()
    {
        directory.WithExport("A_20240301.csv", "ID\n1\n");
        store.TablesWithColumns["A"] = true;
        var workers = Probes(2);
        StartRun(workers);
        var first = await TakeJobAsync(workers[0]);
        await ExpectNoJobAsync(workers[1]);

        // The worker holding the job dies mid-job: the other worker hears of it and gets it as the second attempt.
        Sys.Stop(workers[0].Ref);
        var second = await TakeJobAsync(workers[1]);
        Assert.Equal((first.File, 1, 2), (second.File, first.Attempt, second.Attempt));
        workers[1].Reply(Loaded(second));

        var report = await FinishedAsync();
        Assert.Equal((1, 0), (report.Tables.Single().FilesLoaded, report.Tables.Single().FilesFailed));
        Assert.Single(completed);
        Assert.Contains(store.Steps, s => s.Step == "file requeued" && s.Message.Contains("attempt 2"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_keep_a_failed_job_failed_without_holding_other_tables_back()
    {
        directory.WithExport("A_20240301.csv", "ID\n1\n").WithExport("B_20240301.csv", "ID\n1\n", 1);
        store.TablesWithColumns["A"] = store.TablesWithColumns["B"] = true;
        var worker = Probes(1)[0];
        StartRun([worker]);
        var a = await TakeJobAsync(worker);
        Assert.Equal("A", a.Table);
        worker.Reply(new FileJobFailed(a, new FileFailure(a.File.Path, "malformed CSV", 7, 6), TimeSpan.Zero));

        // The same worker asks again and gets table B's file; A's is not offered again.
        var b = await TakeJobAsync(worker);
        Assert.Equal(("B", 1), (b.Table, b.Attempt));
        worker.Reply(Loaded(b));
        await ExpectNoJobAsync(worker);

        var report = await FinishedAsync();
        var tableA = report.Tables.Single(t => t.Table == "A");
        Assert.Equal((0, 1), (tableA.FilesLoaded, tableA.FilesFailed));
        Assert.Equal("/exports/A_20240301.csv: line 7 (record 6): malformed CSV", Assert.Single(tableA.Errors));
        Assert.Equal(1, report.Tables.Single(t => t.Table == "B").FilesLoaded);
        Assert.Equal("B", Assert.Single(completed).Table);
        Assert.Equal(LogLevel.Error, LevelOf("file failed /exports/A_20240301.csv: /exports/A_20240301.csv: line 7 (record 6): malformed CSV"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_give_a_job_up_after_the_last_attempt_and_report_it_failed()
    {
        directory.WithExport("A_20240301.csv", "ID\n1\n");
        store.TablesWithColumns["A"] = true;
        var workers = Probes(2);
        StartRun(workers, RunLimits.Default with { MaxAttempts = 2 });
        await TakeJobAsync(workers[0]);
        Sys.Stop(workers[0].Ref);
        Assert.Equal(2, (await TakeJobAsync(workers[1])).Attempt);
        Sys.Stop(workers[1].Ref);

        var report = await FinishedAsync();
        var error = Assert.Single(report.Tables.Single().Errors);
        Assert.Contains("the worker loading it stopped, 2 attempts in all", error);
        Assert.Empty(completed);
        var failed = store.Steps.Single(s => s.Step == "file failed");
        Assert.Equal((error, "A", "/exports/A_20240301.csv"), (failed.Message, failed.Table, failed.Path));
        Assert.Equal(LogLevel.Error, LevelOf("file failed /exports/A_20240301.csv: /exports/A_20240301.csv: the worker loading it stopped"));
    }

    // One file; the first worker's attempt times out (1 s) and the job goes to the second worker as attempt 2.
    private async Task<(List<TestProbe> Workers, FileJob First, FileJob Second)> HandOnATimedOutJobAsync()
    {
        directory.WithExport("A_20240301.csv", "ID\n1\n");
        store.TablesWithColumns["A"] = true;
        var workers = Probes(2);
        StartRun(workers, RunLimits.Default with { JobTimeout = TimeSpan.FromSeconds(1) });
        var first = await TakeJobAsync(workers[0]);
        return (workers, first, await TakeJobAsync(workers[1]));
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_offer_again_a_job_whose_worker_timed_out_and_ignore_its_late_answer()
    {
        var (workers, first, second) = await HandOnATimedOutJobAsync();
        Assert.Equal(2, second.Attempt);

        // The slow worker's answer arrives after its job was handed on, and before the second attempt's (the run
        // takes them in that order): ignored, the second attempt counts. Both go at once, well within the second
        // attempt's time-out even on a busy machine.
        workers[0].Reply(Loaded(first, rows: 99));
        workers[1].Reply(Loaded(second, rows: 1));
        var report = await FinishedAsync();
        Assert.Equal((1, 1L), (report.Tables.Single().FilesLoaded, report.Tables.Single().RowsLoaded));
        Assert.Single(completed);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_ignore_the_late_failure_of_a_job_already_offered_again()
    {
        var (workers, first, second) = await HandOnATimedOutJobAsync();

        // The timed-out attempt fails after its job was handed on: the second attempt's success is the file's result.
        workers[0].Reply(new FileJobFailed(first, new FileFailure(first.File.Path, "connection reset"), TimeSpan.Zero));
        workers[1].Reply(Loaded(second, rows: 1));
        var report = await FinishedAsync();
        Assert.Equal((1, 0), (report.Tables.Single().FilesLoaded, report.Tables.Single().FilesFailed));
        Assert.DoesNotContain(store.Steps, s => s.Step == "file failed");
        Assert.Single(completed);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_sample_only_the_tables_the_database_has_no_columns_for()
    {
        directory.WithExport("A_20240301.csv", "ID,WHEN\n1,2024-01-02 03:04:05\n").WithExport("B_20240301.csv", "ID\n1\n", 1);
        store.TablesWithColumns["B"] = true;
        var worker = Probes(1)[0];
        StartRun([worker]);
        var a = await TakeJobAsync(worker);
        worker.Reply(Loaded(a));
        var b = await TakeJobAsync(worker);
        worker.Reply(Loaded(b));
        await FinishedAsync();

        Assert.Equal([new Column("ID", ColumnType.Integer), new Column("WHEN", ColumnType.DateTime)], a.InferredColumns);
        Assert.Empty(b.InferredColumns);
        Assert.Equal((1, 0), (directory.OpensOf("A_20240301.csv"), directory.OpensOf("B_20240301.csv")));
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_finish_only_after_every_bookmark_confirmed()
    {
        directory.WithExport("A_20240301.csv", "ID\n1\n");
        store.TablesWithColumns["A"] = true;
        var bookmarks = Sys.ActorOf(BookmarkStub.Props(completed));
        bookmarks.Tell(new BookmarkStub.Hold());
        var worker = Probes(1)[0];
        StartRun([worker], bookmarks: bookmarks);
        worker.Reply(Loaded(await TakeJobAsync(worker)));

        await AwaitConditionAsync(() => Task.FromResult(completed.Count == 1), Wait);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        bookmarks.Tell(new BookmarkStub.Release());
        var report = await FinishedAsync();
        Assert.Empty(report.Errors);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_fail_the_run_with_the_directory_error_and_load_nothing()
    {
        directory.WithExport("A_20240301.csv", "ID\n1\n");
        directory.ConnectFailure = new ExportDirectoryUnavailableException("Could not connect to SFTP files.example.com:22: refused");
        var worker = Probes(1)[0];
        StartRun([worker]);

        var report = await FinishedAsync();
        Assert.Equal("Could not connect to SFTP files.example.com:22: refused", Assert.Single(report.Errors));
        Assert.Empty(report.Tables);
        await ExpectNoJobAsync(worker);
        Assert.Contains(store.Steps, s => s.Step == "run failed");
        Assert.Equal(LogLevel.Error, LevelOf("run failed: Could not connect to SFTP files.example.com:22: refused"));
        Assert.Empty(completed);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_write_the_steps_in_order_and_save_the_report()
    {
        directory.WithExport("A_20240301.csv", "ID\n1\n2\n", readyCount: "2");
        store.TablesWithColumns["A"] = true;
        var worker = Probes(1)[0];
        StartRun([worker]);
        worker.Reply(Loaded(await TakeJobAsync(worker), rows: 2));
        await FinishedAsync();

        Assert.Equal(["connect", "list", "tables", "files pending", "file started", "file finished"], store.Steps.Select(s => s.Step));
        Assert.Equal("2 files in /exports", store.Steps[1].Message);
        Assert.Equal(2, Assert.Single(store.Reports).RowsLoaded);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_log_every_step_with_its_words()
    {
        directory.WithExport("A_20240301.csv", "ID\n1\n2\n", readyCount: "3").WithExport("B_20240301.csv", "ID\n1\n", 1);
        store.TablesWithColumns["A"] = store.TablesWithColumns["B"] = true;
        var worker = Probes(1)[0];
        StartRun([worker], tables: ["A", "B", "NOPE"]);
        var a = await TakeJobAsync(worker);
        worker.Reply(new FileJobSucceeded(a, false, 2, 1, [], TimeSpan.FromSeconds(1.25), RecordCountOutcome.MatchesRecordsAndHeader));
        var b = await TakeJobAsync(worker);
        // Already in the ledger, with the rows an earlier run loaded: they are not this run's.
        worker.Reply(new FileJobSucceeded(b, true, 4, 0, [], TimeSpan.Zero, null));
        var report = await FinishedAsync();

        Assert.Equal("table NOPE has no ready file in /exports", Assert.Single(report.Errors));
        string Message(string step, string? path = null) => store.Steps.Single(s => s.Step == step && (path is null || s.Path == path)).Message;
        Assert.Equal("connected to files.example.com:22 as u", Message("connect"));
        Assert.Equal("tables found: A, B", Message("tables"));
        Assert.Equal("1 files pending, 0 waiting for their ready file, 0 abandoned", store.Steps.First(s => s.Step == "files pending").Message);
        Assert.Equal($"{a.File.Size} bytes, modified 2024-03-01T08:00:00.0000000+00:00", Message("file started", a.File.Path));
        Assert.Equal("2 rows loaded, 1 replaced in 1.2 s; the ready file's count 3 matches the records with the header row",
            Message("file finished", a.File.Path));
        Assert.Equal("already loaded (in the ledger): skipped", Message("file finished", b.File.Path));
        Assert.Equal((1, 1, 2L, 1L), (report.Tables[0].FilesLoaded, report.Tables[1].FilesAlreadyLoaded, report.Tables[0].RowsLoaded,
            report.Tables[0].RowsReplaced));
        Assert.Equal((0, 0L), (report.Tables[1].FilesLoaded, report.Tables[1].RowsLoaded));
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_write_what_the_load_did_to_values_into_the_files_finished_step()
    {
        directory.WithExport("A_20240301.csv", "ID\n1\n", 1);
        store.TablesWithColumns["A"] = true;
        var worker = Probes(1)[0];
        StartRun([worker], tables: ["A"]);
        var a = await TakeJobAsync(worker);
        worker.Reply(new FileJobSucceeded(a, false, 1, 0, [], TimeSpan.FromSeconds(1), RecordCountOutcome.MatchesRecords, ValueNotes: ["note one", "note two"]));
        await FinishedAsync();

        Assert.Equal("1 rows loaded, 0 replaced in 1.0 s; the ready file's count 1 matches the records without the header row; note one; note two",
            store.Steps.Single(s => s.Step == "file finished").Message);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_log_files_waiting_for_their_ready_file_and_those_abandoned()
    {
        // A table is one with a ready file: the oldest is ready, the two later ones are not.
        directory.WithExport("A_20240229.csv", "ID\n1\n", minute: -10);
        directory.WithExport("A_20240301.csv", "ID\n1\n");
        directory.WithoutReadyFile("A_20240301.csv");
        directory.WithExport("A_20240302.csv", "ID\n1\n", minute: 2 * 24 * 60 - 60);
        directory.WithoutReadyFile("A_20240302.csv");
        store.TablesWithColumns["A"] = true;
        var worker = Probes(1)[0];
        StartRun([worker], clock: new FixedClock(new DateTimeOffset(2024, 3, 3, 8, 0, 0, TimeSpan.Zero)));
        worker.Reply(Loaded(await TakeJobAsync(worker)));

        var report = await FinishedAsync();
        Assert.Equal((1, 1), (report.Tables.Single().FilesWaiting, report.Tables.Single().FilesAbandoned));
        Assert.Equal("no ready file yet; left for a later run", store.Steps.Single(s => s.Step == "file waiting").Message);
        Assert.Equal("no ready file within 1.00:00:00 of its mtime", store.Steps.Single(s => s.Step == "file abandoned").Message);
        Assert.EndsWith("/A_20240301.csv", store.Steps.Single(s => s.Step == "file abandoned").Path);
        Assert.EndsWith("/A_20240302.csv", store.Steps.Single(s => s.Step == "file waiting").Path);
        await ExpectNoJobAsync(worker);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_fail_the_run_naming_the_tables_whose_bookmark_did_not_answer()
    {
        directory.WithExport("A_20240301.csv", "ID\n1\n").WithExport("B_20240301.csv", "ID\n1\n", 1).WithExport("C_20240301.csv", "ID\n1\n", 2);
        var bookmarks = CreateTestProbe();
        StartRun(Probes(1), RunLimits.Default with { BookmarkTimeout = TimeSpan.FromMilliseconds(300) }, bookmarks: bookmarks.Ref);
        for (var i = 0; i < 3; i++)
        {
            // Only B's bookmark answers.
            var get = await bookmarks.ExpectMsgAsync<GetBookmark>(Wait);
            if (get.Table == "B") bookmarks.Reply(new BookmarkState("c", "B", TableBookmarkSnapshot.Of(TableBookmark.Start(null), null)));
        }

        var report = await FinishedAsync();
        Assert.Equal("the bookmarks of A, C did not answer within 00:00:00.3000000", Assert.Single(report.Errors));
        Assert.Contains(store.Steps, s => s.Step == "run failed");
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_report_completions_the_bookmark_did_not_confirm_in_time()
    {
        directory.WithExport("A_20240301.csv", "ID\n1\n");
        store.TablesWithColumns["A"] = true;
        var bookmarks = Sys.ActorOf(BookmarkStub.Props(completed));
        var worker = Probes(1)[0];
        StartRun([worker], RunLimits.Default with { BookmarkTimeout = TimeSpan.FromMilliseconds(500) }, bookmarks: bookmarks);
        var job = await TakeJobAsync(worker);
        bookmarks.Tell(new BookmarkStub.Hold());
        worker.Reply(Loaded(job));

        var report = await FinishedAsync();
        Assert.Equal("the bookmarks did not confirm 1 loaded files within 00:00:00.5000000; the next run finds them in the ledger",
            Assert.Single(report.Errors));
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_fail_the_files_of_a_table_it_could_not_prepare_and_load_the_others()
    {
        directory.WithExport("A_20240301.csv", "ID\n1\n").WithExport("B_20240301.csv", "ID\n1\n", 1);
        store.TablesWithColumns["B"] = true;
        store.ColumnsFailure["A"] = new DatabaseUnavailableException("PostgreSQL: connection refused");
        var worker = Probes(1)[0];
        StartRun([worker]);
        var b = await TakeJobAsync(worker);
        Assert.Equal("B", b.Table);
        worker.Reply(Loaded(b));

        var report = await FinishedAsync();
        var tableA = report.Tables.Single(t => t.Table == "A");
        Assert.Equal("/exports/A_20240301.csv: PostgreSQL: connection refused", Assert.Single(tableA.Errors));
        Assert.Equal(1, tableA.FilesFailed);
        Assert.Equal("PostgreSQL: connection refused (not bookmarked; read again on the next run)",
            store.Steps.Single(s => s.Step == "file failed").Message);
        Assert.Equal(LogLevel.Error, LevelOf("file failed /exports/A_20240301.csv: PostgreSQL: connection refused"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_log_a_failed_file_with_its_reason_and_the_attempt_of_a_file_offered_again()
    {
        directory.WithExport("A_20240301.csv", "ID\n1\n");
        store.TablesWithColumns["A"] = true;
        var workers = Probes(2);
        StartRun(workers);
        var first = await TakeJobAsync(workers[0]);
        Sys.Stop(workers[0].Ref);
        var second = await TakeJobAsync(workers[1]);
        workers[1].Reply(new FileJobFailed(second, new FileFailure(second.File.Path, "bad CSV", 2, 2), TimeSpan.Zero));
        await FinishedAsync();

        Assert.EndsWith(", attempt 2", store.Steps.Last(s => s.Step == "file started").Message);
        Assert.DoesNotContain("attempt", store.Steps.First(s => s.Step == "file started").Message);
        Assert.Equal("the worker loading it stopped; offered again as attempt 2", store.Steps.Single(s => s.Step == "file requeued").Message);
        Assert.Equal("/exports/A_20240301.csv: line 2: bad CSV (not bookmarked; read again on the next run)",
            store.Steps.Single(s => s.Step == "file failed").Message);
        Assert.Equal(first.File, second.File);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_finish_when_the_report_cannot_be_saved()
    {
        directory.WithExport("A_20240301.csv", "ID\n1\n");
        store.TablesWithColumns["A"] = true;
        store.ReportFailure = new DatabaseUnavailableException("PostgreSQL: connection refused");
        var worker = Probes(1)[0];
        var run = StartRun([worker]);
        Watch(run);
        worker.Reply(Loaded(await TakeJobAsync(worker)));

        var report = await FinishedAsync();
        Assert.Equal(1, report.Tables.Single().FilesLoaded);
        await ExpectTerminatedAsync(run, Wait);
        Assert.Equal(LogLevel.Warning, LevelOf($"The loading report of run {runId} could not be saved: PostgreSQL: connection refused"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_load_only_the_tables_asked_for()
    {
        directory.WithExport("A_20240301.csv", "ID\n1\n").WithExport("B_20240301.csv", "ID\n1\n", 1);
        store.TablesWithColumns["A"] = store.TablesWithColumns["B"] = true;
        var worker = Probes(1)[0];
        StartRun([worker], tables: ["B"]);
        var b = await TakeJobAsync(worker);
        worker.Reply(Loaded(b));

        var report = await FinishedAsync();
        Assert.Equal("B", b.Table);
        Assert.Equal("B", Assert.Single(report.Tables).Table);
        Assert.Empty(report.Errors);
        Assert.Equal("B", Assert.Single(completed).Table);
        Assert.DoesNotContain(store.Steps, s => s.Table == "A");
        await ExpectNoJobAsync(worker);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_load_only_the_tables_the_connection_selects_with_no_error_for_a_selected_one_without_files()
    {
        directory.WithExport("A_20240301.csv", "ID\n1\n").WithExport("B_20240301.csv", "ID\n1\n", 1);
        store.TablesWithColumns["A"] = store.TablesWithColumns["B"] = true;
        var worker = Probes(1)[0];
        StartRun([worker], selection: ["B", "C"]);
        var b = await TakeJobAsync(worker);
        worker.Reply(Loaded(b));

        var report = await FinishedAsync();
        Assert.Equal("B", Assert.Single(report.Tables).Table);
        Assert.Empty(report.Errors);
        Assert.DoesNotContain(store.Steps, s => s.Table == "A");
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_say_so_when_a_table_asked_for_is_not_among_the_connection_s_tables()
    {
        directory.WithExport("A_20240301.csv", "ID\n1\n").WithExport("B_20240301.csv", "ID\n1\n", 1);
        store.TablesWithColumns["A"] = store.TablesWithColumns["B"] = true;
        var worker = Probes(1)[0];
        StartRun([worker], tables: ["A", "B"], selection: ["B"]);
        worker.Reply(Loaded(await TakeJobAsync(worker)));

        var report = await FinishedAsync();
        Assert.Equal("B", Assert.Single(report.Tables).Table);
        Assert.Equal("table A is not among the connection's tables", Assert.Single(report.Errors));
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_finish_at_once_with_an_empty_report_when_no_file_is_ready()
    {
        // A data file whose ready file has not come yet: no table is found, there is nothing to ask the bookmarks.
        directory.WithExport("A_20240301.csv", "ID\n1\n").WithoutReadyFile("A_20240301.csv");
        var worker = Probes(1)[0];
        var silent = CreateTestProbe();
        StartRun([worker], bookmarks: silent.Ref);

        var report = await FinishedAsync();
        Assert.Empty(report.Tables);
        Assert.Empty(report.Errors);
        Assert.Equal(["connect", "list", "tables"], store.Steps.Select(s => s.Step));
        Assert.Equal("tables found: ", store.Steps[2].Message);
        await silent.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        await worker.ExpectNoMsgAsync(TimeSpan.Zero);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_log_which_count_of_the_ready_file_matched_and_count_the_bytes_read()
    {
        directory.WithExport("A_20240301.csv", "ID\n1\n2\n", readyCount: "2")
            .WithExport("A_20240302.csv", "ID\n1\n2\n", 1, readyCount: "3")
            .WithExport("A_20240303.csv", "ID\n1\n2\n", 2);
        store.TablesWithColumns["A"] = true;
        var worker = Probes(1)[0];
        StartRun([worker]);
        var outcomes = new RecordCountOutcome?[] { RecordCountOutcome.MatchesRecords, RecordCountOutcome.MatchesRecordsAndHeader, null };
        var jobs = new List<FileJob>();
        foreach (var outcome in outcomes)
        {
            var job = await TakeJobAsync(worker);
            jobs.Add(job);
            worker.Reply(new FileJobSucceeded(job, false, 2, 0, [], TimeSpan.FromSeconds(2), outcome));
        }

        var report = await FinishedAsync();
        string Finished(FileJob job) => store.Steps.Single(s => s.Step == "file finished" && s.Path == job.File.Path).Message;
        Assert.Equal("2 rows loaded, 0 replaced in 2.0 s; the ready file's count 2 matches the records without the header row", Finished(jobs[0]));
        Assert.Equal("2 rows loaded, 0 replaced in 2.0 s; the ready file's count 3 matches the records with the header row", Finished(jobs[1]));
        Assert.Equal("2 rows loaded, 0 replaced in 2.0 s; the ready file carries no record count", Finished(jobs[2]));
        var table = Assert.Single(report.Tables);
        Assert.Equal((3, 6L, jobs.Sum(j => j.File.Size)), (table.FilesLoaded, table.RowsLoaded, table.Bytes));
        Assert.Equal(3 * "ID\n1\n2\n".Length, table.Bytes);

        // Each completion tells the bookmark what is still to do: the later files, never the one just done.
        Assert.Equal(new[] { new[] { jobs[1].File.Path, jobs[2].File.Path }, [jobs[2].File.Path], [] },
            completed.Select(c => c.StillToDo.Select(v => v.Path).Order().ToArray()));
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_finish_without_loading_or_sampling_when_the_bookmark_has_every_file_done()
    {
        // The database has no columns for A, but its only file is done: nothing to sample, nothing to load.
        directory.WithExport("A_20240301.csv", "ID\n1\n");
        var done = new FileVersion("/exports/A_20240301.csv", new DateTimeOffset(2024, 3, 1, 8, 0, 0, TimeSpan.Zero), "ID\n1\n".Length);
        var bookmarks = CreateTestProbe();
        var worker = Probes(1)[0];
        StartRun([worker], bookmarks: bookmarks.Ref);
        await bookmarks.ExpectMsgAsync<GetBookmark>(Wait);
        bookmarks.Reply(new BookmarkState("c", "A", TableBookmarkSnapshot.Of(TableBookmark.Start(null).Complete(done, []), null)));

        var report = await FinishedAsync();
        var table = Assert.Single(report.Tables);
        Assert.Equal((0, 0, 0), (table.FilesLoaded, table.FilesAlreadyLoaded, table.FilesFailed));
        Assert.Equal("0 files pending, 0 waiting for their ready file, 0 abandoned", store.Steps.Single(s => s.Step == "files pending").Message);
        Assert.Equal(0, directory.OpensOf("A_20240301.csv"));
        await worker.ExpectNoMsgAsync(TimeSpan.Zero);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_not_finish_while_a_table_is_still_being_sampled()
    {
        // A's columns are known and its file loads at once; B's are sampled first, and the sample is held.
        directory.WithExport("A_20240301.csv", "ID\n1\n").WithExport("B_20240301.csv", "ID\n1\n", 1);
        store.TablesWithColumns["A"] = true;
        directory.OpenGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var worker = Probes(1)[0];
        StartRun([worker]);
        var a = await TakeJobAsync(worker);
        worker.Reply(Loaded(a));
        await AwaitConditionAsync(() => Task.FromResult(completed.Count == 1 && directory.OpensOf("B_20240301.csv") == 1), Wait);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));

        directory.OpenGate.SetResult();
        var b = await TakeJobAsync(worker);
        worker.Reply(Loaded(b));
        var report = await FinishedAsync();
        Assert.Equal([1, 1], report.Tables.Select(t => t.FilesLoaded));
        Assert.Equal("B", b.Table);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_log_a_file_it_could_not_sample_and_still_offer_it()
    {
        // The only file of a table the database does not know has an empty header row: sampling it fails.
        directory.WithExport("A_20240301.csv", "\n1,2\n");
        var worker = Probes(1)[0];
        StartRun([worker]);
        var job = await TakeJobAsync(worker);
        worker.Reply(new FileJobFailed(job, new FileFailure(job.File.Path, "missing header: the header row is empty"), TimeSpan.Zero));
        await FinishedAsync();

        Assert.Empty(job.InferredColumns);
        var warning = logger.Lines.Single(l => l.Text.StartsWith("Could not sample /exports/A_20240301.csv: ", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("the header row is empty", warning.Text);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_not_hold_the_bookmarks_late_once_they_all_answered()
    {
        // The bookmarks answer at once; a file then takes longer than the bookmarks' limit (its worker times out
        // and the file goes to the other one): that is no late bookmark.
        directory.WithExport("A_20240301.csv", "ID\n1\n");
        store.TablesWithColumns["A"] = true;
        var workers = Probes(2);
        StartRun(workers, new RunLimits(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(800), 3));
        await TakeJobAsync(workers[0]);
        var second = await TakeJobAsync(workers[1]);
        workers[1].Reply(Loaded(second));

        var report = await FinishedAsync();
        Assert.Empty(report.Errors);
        Assert.Equal(1, report.Tables.Single().FilesLoaded);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_finish_when_no_table_could_be_prepared()
    {
        directory.WithExport("A_20240301.csv", "ID\n1\n");
        store.ColumnsFailure["A"] = new DatabaseUnavailableException("PostgreSQL: connection refused");
        StartRun(Probes(1));

        var report = await FinishedAsync();
        Assert.Equal((0, 1), (report.Tables.Single().FilesLoaded, report.Tables.Single().FilesFailed));
        Assert.Empty(completed);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_report_a_preparation_that_failed_as_a_whole_and_finish()
    {
        // Not a database or directory error that fails one table: preparing stops there, and the run says why.
        directory.WithExport("A_20240301.csv", "ID\n1\n");
        store.ColumnsFailure["A"] = new InvalidOperationException("the column query broke");
        StartRun(Probes(1));

        var report = await FinishedAsync();
        Assert.Equal("the column query broke", Assert.Single(report.Errors));
        Assert.Equal("the column query broke", store.Steps.Single(s => s.Step == "run failed").Message);
        Assert.Equal(LogLevel.Error, LevelOf("run failed: the column query broke"));
        Assert.Equal(0, report.Tables.Single().FilesLoaded);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_offer_again_every_job_whose_worker_timed_out()
    {
        directory.WithExport("A_20240301.csv", "ID\n1\n").WithExport("A_20240302.csv", "ID\n1\n", 1);
        store.TablesWithColumns["A"] = true;
        var workers = Probes(4);
        StartRun(workers, RunLimits.Default with { JobTimeout = TimeSpan.FromMilliseconds(300) });
        var firsts = new List<FileJob>();
        for (var i = 0; i < 2; i++) firsts.Add(await TakeJobAsync(workers[i]));
        await ExpectNoJobAsync(workers[2]);

        // Neither of the first two workers answers: both jobs go to the other two workers as second attempts.
        var seconds = new[] { await TakeJobAsync(workers[2]), await TakeJobAsync(workers[3]) };
        Assert.Equal(firsts.Select(j => j.File.Path).Order(), seconds.Select(j => j.File.Path).Order());
        Assert.All(seconds, j => Assert.Equal(2, j.Attempt));
        workers[2].Reply(Loaded(seconds[0]));
        workers[3].Reply(Loaded(seconds[1]));

        var report = await FinishedAsync();
        Assert.Equal(2, report.Tables.Single().FilesLoaded);
        Assert.All(store.Steps.Where(s => s.Step == "file requeued"), s =>
            Assert.Equal("the worker loading it did not finish within 00:00:00.3000000; offered again as attempt 2", s.Message));
        Assert.Equal(2, store.Steps.Count(s => s.Step == "file requeued"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_keep_to_the_download_cap_and_hand_the_next_file_as_soon_as_one_is_done()
    {
        // Two workers, one download at a time: the second worker gets nothing until the first one's file succeeds or fails.
        directory.WithExport("A_20240301.csv", "ID\n1\n").WithExport("A_20240302.csv", "ID\n1\n", 1).WithExport("A_20240303.csv", "ID\n1\n", 2);
        store.TablesWithColumns["A"] = true;
        var workers = Probes(2);
        StartRun(workers, maxDownloads: 1);
        var first = await TakeJobAsync(workers[0]);
        await ExpectNoJobAsync(workers[1]);

        workers[0].Reply(new FileJobFailed(first, new FileFailure(first.File.Path, "bad CSV"), TimeSpan.Zero));
        var second = await TakeJobAsync(workers[1]);
        await ExpectNoJobAsync(workers[0]);

        workers[1].Reply(Loaded(second));
        var third = await TakeJobAsync(workers[0]);
        workers[0].Reply(Loaded(third));

        var report = await FinishedAsync();
        Assert.Equal((2, 1), (report.Tables.Single().FilesLoaded, report.Tables.Single().FilesFailed));
        Assert.Equal(["A_20240301.csv", "A_20240302.csv", "A_20240303.csv"], new[] { first, second, third }.Select(j => j.File.Name));
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_close_the_directory_once_the_tables_are_prepared()
    {
        directory.WithExport("A_20240301.csv", "ID\n1\n");
        var worker = Probes(1)[0];
        StartRun([worker]);
        var job = await TakeJobAsync(worker);

        // The listing and sampling session is closed while the file is still loading (the worker has its own).
        await AwaitConditionAsync(() => Task.FromResult(directory.Disposals == 1), Wait);
        worker.Reply(Loaded(job));
        await FinishedAsync();
        Assert.Equal(1, directory.Disposals);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_close_the_directory_when_stopped()
    {
        directory.WithExport("A_20240301.csv", "ID\n1\n");
        var silent = CreateTestProbe();
        var run = StartRun(Probes(1), bookmarks: silent.Ref);
        await silent.ExpectMsgAsync<GetBookmark>(Wait);

        Watch(run);
        Sys.Stop(run);
        await ExpectTerminatedAsync(run, Wait);
        await AwaitConditionAsync(() => Task.FromResult(directory.Disposals == 1), Wait);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_cancel_its_connect_when_stopped()
    {
        var connector = new HangingConnector();
        var run = StartRun(Probes(1), connector: connector);
        await connector.Started.Task.WaitAsync(Wait);

        Watch(run);
        Sys.Stop(run);
        await ExpectTerminatedAsync(run, Wait);
        await connector.Cancelled.Task.WaitAsync(Wait);
    }

    [Fact]
    public async Task Should_close_an_SFTP_session_whose_connect_ends_after_the_run_stopped()
    {
        var server = new InMemoryExportDirectory();
        var connector = new LateConnector(server);
        var run = StartRun(Probes(1), connector: connector);
        await connector.Started.Task.WaitAsync(Wait);

        Watch(run);
        Sys.Stop(run);
        await ExpectTerminatedAsync(run, Wait);
        Assert.Equal(0, server.Connects);
        connector.Finish.SetResult();

        await AwaitConditionAsync(() => Task.FromResult(server.Disposals == 1), Wait);
        Assert.Equal(1, server.Connects);
    }

    /// <summary>A connect that does not heed cancellation: it ends with a session when the test says so.</summary>
    private sealed class LateConnector(InMemoryExportDirectory server) : IExportDirectoryConnector
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Finish { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<IExportDirectory> ConnectAsync(CancellationToken cancellationToken)
        {
            Started.TrySetResult();
            await Finish.Task;
            return await server.ConnectAsync(CancellationToken.None);
        }
    }

    /// <summary>A connect that never ends unless cancelled, and says when it starts and when it is cancelled.</summary>
    private sealed class HangingConnector : IExportDirectoryConnector
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<IExportDirectory> ConnectAsync(CancellationToken cancellationToken)
        {
            Started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Cancelled.TrySetResult();
                throw;
            }
            throw new InvalidOperationException("unreachable: the delay is infinite");
        }
    }

    /// <summary>A wall clock stopped at one instant.</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>Passes every message on to each worker probe, the sender kept.</summary>
    private sealed class Broadcast : ReceiveActor
    {
        public Broadcast(IReadOnlyList<IActorRef> workers) => ReceiveAny(message =>
        {
            foreach (var worker in workers) worker.Forward(message);
        });
    }

    /// <summary>A run lock that is free (counting takes and releases) or held by <paramref name="heldBy"/>.</summary>
    private sealed class CountingRunLock(string? heldBy) : IConnectionRunLock, IAsyncDisposable
    {
        private int taken;
        private int released;

        public int Taken => Volatile.Read(ref taken);

        public int Released => Volatile.Read(ref released);

        public Task<RunLockAttempt> TryTakeAsync(CancellationToken cancellationToken)
        {
            if (heldBy is not null) return Task.FromResult(RunLockAttempt.Held(heldBy));
            Interlocked.Increment(ref taken);
            return Task.FromResult(RunLockAttempt.Taken(this));
        }

        public ValueTask DisposeAsync()
        {
            Interlocked.Increment(ref released);
            return ValueTask.CompletedTask;
        }
    }
}
