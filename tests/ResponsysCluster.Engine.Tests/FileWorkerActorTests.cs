using Akka.Actor;
using Akka.TestKit.Xunit2;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Ports;
using ResponsysCluster.Engine.Files;
using ResponsysCluster.Engine.Tests.Fakes;
using static ResponsysCluster.Engine.Files.FileJobProtocol;

namespace ResponsysCluster.Engine.Tests;

/// <summary>The worker's side of work pulling, over in-memory ports.</summary>
public sealed class FileWorkerActorTests : TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private readonly InMemoryExportDirectory directory = new InMemoryExportDirectory().WithExport("A_20240301.csv", "ID\n1\n2\n", readyCount: "2");
    private readonly RecordingStore store = new();

    private IActorRef StartWorker() => Sys.ActorOf(FileWorkerActor.Props(_ => new FileLoadService(new ConnectionPorts(directory, store, store))));

    private async Task<FileJob> JobAsync(Guid runId)
    {
        await using var session = await directory.ConnectAsync(CancellationToken.None);
        var files = await session.ListAsync(CancellationToken.None);
        return new FileJob(runId, "c", "A", files.Single(f => f.Name.EndsWith(".csv")), files.Single(f => f.Name.EndsWith(".ready")), [], 1);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_ask_the_run_that_announced_work_load_the_job_and_ask_again()
    {
        var run = CreateTestProbe();
        var runId = Guid.NewGuid();
        var worker = StartWorker();
        worker.Tell(new WorkAvailable(runId, "c"), run.Ref);
        await run.ExpectMsgAsync<RequestWork>(m => Assert.Equal(runId, m.RunId), Wait);

        worker.Tell(await JobAsync(runId), run.Ref);
        var loaded = await run.ExpectMsgAsync<FileJobSucceeded>(Wait);
        Assert.Equal((false, 2L), (loaded.AlreadyLoaded, loaded.RowsLoaded));
        await run.ExpectMsgAsync<RequestWork>(Wait);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_ask_for_a_batch_load_its_small_files_together_and_answer_each_job_on_its_own()
    {
        var feed = new InMemoryExportDirectory()
            .WithExport("E_1.csv", "ID\n1\n", minute: 1, readyCount: "1").WithExport("E_2.csv", "ID\n2\n3\n", minute: 2, readyCount: "2")
            .WithExport("E_3.csv", "", minute: 3, readyCount: "0").WithExport("E_4.csv", "ID\n4\n", minute: 4, readyCount: "1");
        var run = CreateTestProbe();
        var runId = Guid.NewGuid();
        var worker = Sys.ActorOf(FileWorkerActor.Props(_ => new FileLoadService(new ConnectionPorts(feed, store, store)), batchFiles: 4));
        worker.Tell(new WorkAvailable(runId, "c"), run.Ref);
        Assert.Equal(4, (await run.ExpectMsgAsync<RequestWork>(Wait)).MaxFiles);

        List<FileJob> jobs;
        await using (var session = await feed.ConnectAsync(CancellationToken.None))
        {
            var files = await session.ListAsync(CancellationToken.None);
            jobs = Enumerable.Range(1, 4).Select(i => new FileJob(runId, "c", "E", files.Single(f => f.Name == $"E_{i}.csv"),
                files.Single(f => f.Name == $"E_{i}.ready"), [], 1)).ToList();
        }
        var connectsBefore = feed.Connects;
        worker.Tell(new FileJobBatch(jobs), run.Ref);

        var answers = new List<FileJobSucceeded>();
        for (var i = 0; i < 4; i++) answers.Add(await run.ExpectMsgAsync<FileJobSucceeded>(Wait));
        Assert.Equal([("E_1.csv", 1L), ("E_2.csv", 2L), ("E_3.csv", 0L), ("E_4.csv", 1L)], answers.Select(a => (a.Job.File.Name, a.RowsLoaded)));
        Assert.NotNull(answers[2].SkippedBecause);
        // The empty file needed no load; the three others went to the store as one batch, over one SFTP session.
        Assert.Equal([3], store.Batches);
        Assert.Equal(connectsBefore + 1, feed.Connects);
        await run.ExpectMsgAsync<RequestWork>(Wait);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_answer_a_version_in_the_ledger_without_connecting()
    {
        var run = CreateTestProbe();
        var runId = Guid.NewGuid();
        var job = await JobAsync(runId);
        await store.LoadAsync(new FileVersionLoad("A", job.File.Version, 2, []), _ => Task.FromResult<Stream>(new MemoryStream("ID\n1\n2\n"u8.ToArray())),
            null, _ => Task.CompletedTask, CancellationToken.None);
        var connectsBefore = directory.Connects;

        StartWorker().Tell(job, run.Ref);
        Assert.True((await run.ExpectMsgAsync<FileJobSucceeded>(Wait)).AlreadyLoaded);
        Assert.Equal(connectsBefore, directory.Connects);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_ask_a_run_that_announced_work_while_it_was_busy_once_the_job_in_hand_is_done()
    {
        var (oldRun, newRun) = (CreateTestProbe(), CreateTestProbe());
        var (oldId, newId) = (Guid.NewGuid(), Guid.NewGuid());
        var gate = new TaskCompletionSource();
        var worker = Sys.ActorOf(FileWorkerActor.Props(_ => new FileLoadService(new ConnectionPorts(directory, new HeldStore(store, gate.Task), store))));
        worker.Tell(await JobAsync(oldId), oldRun.Ref);
        // Announced while the worker is busy: it does not ask yet.
        worker.Tell(new WorkAvailable(newId, "c"), newRun.Ref);
        await newRun.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        gate.SetResult();

        // The result goes to the run that handed the job out; the next request to the run that announced work.
        await oldRun.ExpectMsgAsync<FileJobSucceeded>(Wait);
        await newRun.ExpectMsgAsync<RequestWork>(m => Assert.Equal(newId, m.RunId), Wait);
        await oldRun.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_ask_the_runs_with_work_in_turn_so_that_no_connection_starves_another()
    {
        var (first, second) = (CreateTestProbe(), CreateTestProbe());
        var (firstId, secondId) = (Guid.NewGuid(), Guid.NewGuid());
        var worker = StartWorker();
        worker.Tell(new WorkAvailable(firstId, "c"), first.Ref);
        await first.ExpectMsgAsync<RequestWork>(m => Assert.Equal(firstId, m.RunId), Wait);
        // Announced while the worker waits for the first run's answer: asked later, not at once.
        worker.Tell(new WorkAvailable(secondId, "c"), second.Ref);
        await second.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));

        first.Reply(await JobAsync(firstId));
        await first.ExpectMsgAsync<FileJobSucceeded>(Wait);
        // The first run still has work, but the second one's turn has come.
        await second.ExpectMsgAsync<RequestWork>(m => Assert.Equal(secondId, m.RunId), Wait);
        await first.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        second.Reply(new NoWorkNow(secondId));
        await first.ExpectMsgAsync<RequestWork>(m => Assert.Equal(firstId, m.RunId), Wait);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_not_ask_a_run_that_had_no_work_again_until_it_announces_work()
    {
        var run = CreateTestProbe();
        var runId = Guid.NewGuid();
        var worker = StartWorker();
        worker.Tell(new WorkAvailable(runId, "c"), run.Ref);
        await run.ExpectMsgAsync<RequestWork>(Wait);
        run.Reply(new NoWorkNow(runId));
        await run.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));

        worker.Tell(new WorkAvailable(runId, "c"), run.Ref);
        await run.ExpectMsgAsync<RequestWork>(m => Assert.Equal(runId, m.RunId), Wait);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_ask_the_next_run_when_the_run_asked_stops_without_answering()
    {
        var (gone, next) = (CreateTestProbe(), CreateTestProbe());
        var (goneId, nextId) = (Guid.NewGuid(), Guid.NewGuid());
        var worker = StartWorker();
        worker.Tell(new WorkAvailable(goneId, "c"), gone.Ref);
        worker.Tell(new WorkAvailable(nextId, "c"), next.Ref);
        await gone.ExpectMsgAsync<RequestWork>(Wait);
        await next.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));

        Sys.Stop(gone.Ref);
        // Well before the answer time-out: the worker watched the run it asked.
        await next.ExpectMsgAsync<RequestWork>(m => Assert.Equal(nextId, m.RunId), FileWorkerActor.AnswerTimeout / 2);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_fail_a_file_rewritten_while_it_was_read_before_its_load_commits()
    {
        var run = CreateTestProbe();
        var job = await JobAsync(Guid.NewGuid());
        // The export is rewritten after it was listed: what is read is no longer the version listed.
        directory.WithExport("A_20240301.csv", "ID\n1\n2\n", minute: 5, readyCount: "2");

        StartWorker().Tell(job, run.Ref);
        var failed = await run.ExpectMsgAsync<FileJobFailed>(Wait);
        Assert.StartsWith("the file changed while it was read", failed.Failure.Reason);
        Assert.Equal(0, store.LedgerCount);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_fail_the_job_with_the_file_line_and_reason_as_data()
    {
        var run = CreateTestProbe();
        var bad = new InMemoryExportDirectory().WithExport("A_20240301.csv", "ID\n1\n", readyCount: "5");
        var worker = Sys.ActorOf(FileWorkerActor.Props(_ => new FileLoadService(new ConnectionPorts(bad, new CountCheckingStore(), store))));
        await using var session = await bad.ConnectAsync(CancellationToken.None);
        var files = await session.ListAsync(CancellationToken.None);
        worker.Tell(new FileJob(Guid.NewGuid(), "c", "A", files.Single(f => f.Name.EndsWith(".csv")), files.Single(f => f.Name.EndsWith(".ready")), [], 1), run.Ref);

        var failed = await run.ExpectMsgAsync<FileJobFailed>(Wait);
        Assert.Equal(("/exports/A_20240301.csv", "the ready file says 5", (long?)null), (failed.Failure.Path, failed.Failure.Reason, failed.Failure.Line));
    }

    /// <summary>A store whose loads wait for the test's gate.</summary>
    private sealed class HeldStore(IFileVersionStore inner, Task gate) : IFileVersionStore
    {
        public Task<bool> IsLoadedAsync(string table, FileVersion version, CancellationToken cancellationToken) =>
            inner.IsLoadedAsync(table, version, cancellationToken);

        public Task<bool> HasColumnsAsync(string table, CancellationToken cancellationToken) => inner.HasColumnsAsync(table, cancellationToken);

        public async Task<FileVersionLoaded> LoadAsync(FileVersionLoad load, Func<CancellationToken, Task<Stream>> open, Action<long>? rowsCopied,
            Func<CancellationToken, Task> beforeCommit, CancellationToken cancellationToken)
        {
            await gate.WaitAsync(cancellationToken);
            return await inner.LoadAsync(load, open, rowsCopied, beforeCommit, cancellationToken);
        }

        public async Task<IReadOnlyList<FileVersionBatchResult>> LoadBatchAsync(IReadOnlyList<FileVersionBatchItem> items, CancellationToken cancellationToken)
        {
            await gate.WaitAsync(cancellationToken);
            return await inner.LoadBatchAsync(items, cancellationToken);
        }
    }

    /// <summary>A store that refuses every load with the ready file's count, as a record-count mismatch would.</summary>
    private sealed class CountCheckingStore : IFileVersionStore
    {
        public Task<bool> IsLoadedAsync(string table, FileVersion version, CancellationToken cancellationToken) => Task.FromResult(false);

        public Task<bool> HasColumnsAsync(string table, CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<FileVersionLoaded> LoadAsync(FileVersionLoad load, Func<CancellationToken, Task<Stream>> open, Action<long>? rowsCopied,
            Func<CancellationToken, Task> beforeCommit, CancellationToken cancellationToken) =>
            throw new ExportFileException(load.Version.Path, $"the ready file says {load.ExpectedRecords}");

        public Task<IReadOnlyList<FileVersionBatchResult>> LoadBatchAsync(IReadOnlyList<FileVersionBatchItem> items, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<FileVersionBatchResult>>([.. items.Select(i =>
                FileVersionBatchResult.Failed(new ExportFileException(i.Load.Version.Path, $"the ready file says {i.Load.ExpectedRecords}")))]);
    }
}
