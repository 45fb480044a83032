using System.Collections.Concurrent;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Microsoft.Extensions.Logging.Abstractions;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Ports;
using ResponsysCluster.Engine.Files;
using ResponsysCluster.Engine.Runs;
using ResponsysCluster.Engine.Tests.Fakes;
using static ResponsysCluster.Engine.Bookmarks.TableBookmarkProtocol;
using static ResponsysCluster.Engine.Runs.ConnectionRunProtocol;
using static ResponsysCluster.Engine.Runs.ConnectionSchedulerProtocol;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// A scheduler with a node's worker pool over in-memory ports: a worker that stops mid-job is replaced and the job
/// still loads once; the pool passes work on only for connections it can load.
/// </summary>
public sealed class ConnectionSchedulerWorkerTests : TestKit
{
    /// <summary>Loads wait until the test opens the gate; the first load of each file is counted.</summary>
    private sealed class GatedStore(RecordingStore inner) : IFileVersionStore
    {
        public TaskCompletionSource Gate { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int LoadsStarted;

        public Task<bool> IsLoadedAsync(string table, FileVersion version, CancellationToken cancellationToken) =>
            inner.IsLoadedAsync(table, version, cancellationToken);

        public Task<bool> HasColumnsAsync(string table, CancellationToken cancellationToken) => inner.HasColumnsAsync(table, cancellationToken);

        public async Task<FileVersionLoaded> LoadAsync(FileVersionLoad load, Func<CancellationToken, Task<Stream>> open, Action<long>? rowsCopied,
            Func<CancellationToken, Task> beforeCommit, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref LoadsStarted);
            await Gate.Task.WaitAsync(cancellationToken);
            return await inner.LoadAsync(load, open, rowsCopied, beforeCommit, cancellationToken);
        }

        public async Task<IReadOnlyList<FileVersionBatchResult>> LoadBatchAsync(IReadOnlyList<FileVersionBatchItem> items, CancellationToken cancellationToken)
        {
            Interlocked.Add(ref LoadsStarted, items.Count);
            await Gate.Task.WaitAsync(cancellationToken);
            return await inner.LoadBatchAsync(items, cancellationToken);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_replace_a_worker_that_stopped_mid_job_and_load_its_file_once()
    {
        var directory = new InMemoryExportDirectory().WithExport("A_20240301.csv", "ID\n1\n2\n", readyCount: "2");
        var records = new RecordingStore();
        records.TablesWithColumns["A"] = true;
        var store = new GatedStore(records);
        var completed = new ConcurrentQueue<CompleteFileVersion>();
        var config = new ConnectionConfig
        {
            Host = "files.example.com", Username = "u", Path = InMemoryExportDirectory.Path, ConnectionId = "c", MaxConcurrentDownloads = 1,
        };
        var ports = new ConnectionPorts(directory, store, records);
        var pool = Sys.ActorOf(FileWorkerPoolActor.Props(1, id => id == "c" ? new FileLoadService(ports) : null), "file-workers");
        var scheduler = Sys.ActorOf(ConnectionSchedulerActor.Props(config, ports, Sys.ActorOf(BookmarkStub.Props(completed)), pool,
            NullLoggerFactory.Instance, TimeProvider.System), "scheduler");
        scheduler.Tell(new RunNow(null), TestActor);
        await AwaitConditionAsync(() => Task.FromResult(Volatile.Read(ref store.LoadsStarted) == 1), TimeSpan.FromSeconds(5));

        // The only worker stops while its load waits: a new worker takes the job as the second attempt.
        var worker = await Sys.ActorSelection("/user/file-workers/file-worker-1").ResolveOne(TimeSpan.FromSeconds(5));
        Sys.Stop(worker);
        await AwaitConditionAsync(() => Task.FromResult(Volatile.Read(ref store.LoadsStarted) == 2), TimeSpan.FromSeconds(5));
        store.Gate.SetResult();

        var report = await ExpectMsgAsync<RunReport>(TimeSpan.FromSeconds(10));
        Assert.Equal((1, 0, 2L), (report.Tables.Single().FilesLoaded, report.Tables.Single().FilesFailed, report.Tables.Single().RowsLoaded));
        Assert.Equal(1, records.LedgerCount);
        Assert.Single(completed);
        Assert.Contains(records.Steps, s => s.Step == "file requeued");
        await Sys.ActorSelection("/user/file-workers/file-worker-2").ResolveOne(TimeSpan.FromSeconds(5));
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_give_its_runs_the_limits_it_was_started_with()
    {
        var directory = new InMemoryExportDirectory().WithExport("A_20240301.csv", "ID\n1\n");
        var records = new RecordingStore();
        var config = new ConnectionConfig
        {
            Host = "files.example.com", Username = "u", Path = InMemoryExportDirectory.Path, ConnectionId = "c", MaxConcurrentDownloads = 1,
        };
        // Bookmarks that never answer: the run gives up on them after its own limit, not the default 30 s.
        var limits = RunLimits.Default with { BookmarkTimeout = TimeSpan.FromMilliseconds(300) };
        var scheduler = Sys.ActorOf(ConnectionSchedulerActor.Props(config, new ConnectionPorts(directory, records, records), CreateTestProbe().Ref,
            CreateTestProbe().Ref, NullLoggerFactory.Instance, TimeProvider.System, limits));
        scheduler.Tell(new RunNow(null), TestActor);

        var report = await ExpectMsgAsync<RunReport>(TimeSpan.FromSeconds(10));
        Assert.Equal("the bookmarks of A did not answer within 00:00:00.3000000", Assert.Single(report.Errors));
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_have_every_worker_of_the_pool_ask_for_work_of_a_connection_it_can_load_and_none_for_another()
    {
        var ports = new ConnectionPorts(new InMemoryExportDirectory(), new RecordingStore(), new RecordingStore());
        var pool = Sys.ActorOf(FileWorkerPoolActor.Props(3, id => id == "known" ? new FileLoadService(ports) : null));
        var run = CreateTestProbe();
        var (known, unknown) = (Guid.NewGuid(), Guid.NewGuid());

        pool.Tell(new FileJobProtocol.WorkAvailable(unknown, "elsewhere"), run.Ref);
        await run.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        pool.Tell(new FileJobProtocol.WorkAvailable(known, "known"), run.Ref);
        var askers = new HashSet<IActorRef>();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(known, (await run.ExpectMsgAsync<FileJobProtocol.RequestWork>()).RunId);
            askers.Add(run.LastSender);
        }
        Assert.Equal(3, askers.Count);
        await run.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }
}
