using Akka.Actor;
using Akka.Event;
using Microsoft.Extensions.Logging;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Engine.Files;
using static ResponsysCluster.Engine.Runs.ConnectionSchedulerProtocol;

namespace ResponsysCluster.Engine.Runs;

/// <summary>
/// One per connection: starts runs on demand, never two at once, and owns the connection's file workers
/// (as many as downloads may run at once from its SFTP host).
/// </summary>
public sealed class ConnectionSchedulerActor : ReceiveActor
{
    private readonly ConnectionConfig config;
    private readonly IActorRef bookmarks;
    private readonly Func<CancellationToken, Task<IExportDirectory>> connect;
    private readonly ILoggerFactory loggerFactory;
    private readonly TimeProvider clock;
    private readonly FileLoadService fileLoads;
    private readonly CancellationTokenSource stopping = new();
    private readonly ILoggingAdapter log = Context.GetLogger();
    private List<IActorRef> workers = [];
    private IActorRef? requester;

    public ConnectionSchedulerActor(ConnectionConfig config, IActorRef bookmarks, FileLoadService fileLoads,
        Func<CancellationToken, Task<IExportDirectory>> connect, ILoggerFactory loggerFactory, TimeProvider clock)
    {
        this.config = config;
        this.bookmarks = bookmarks;
        this.fileLoads = fileLoads;
        this.connect = connect;
        this.loggerFactory = loggerFactory;
        this.clock = clock;
        Become(Waiting);
    }

    public static Props Props(ConnectionConfig config, IActorRef bookmarks, FileLoadService fileLoads,
        Func<CancellationToken, Task<IExportDirectory>> connect, ILoggerFactory loggerFactory, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new ConnectionSchedulerActor(config, bookmarks, fileLoads, connect, loggerFactory, clock));

    protected override void PreStart() =>
        workers = Enumerable.Range(1, config.MaxConcurrentDownloads)
            .Select(i => Context.ActorOf(FileWorkerActor.Props(fileLoads), $"file-worker-{i}"))
            .ToList();

    protected override void PostStop()
    {
        stopping.Cancel();
        stopping.Dispose();
    }

    private void Waiting()
    {
        Receive<RunNow>(HandleRunNow);
    }

    private void Running()
    {
        Receive<RunNow>(_ => Sender.Tell(new RunAlreadyRunning(config.ConnectionId)));
        Receive<RunFinished>(finished =>
        {
            log.Info("Run {0} of {1} finished in {2:F1} s", finished.Report.RunId, config.ConnectionId, finished.Report.Duration.TotalSeconds);
            requester?.Tell(finished.Report);
            requester = null;
            Become(Waiting);
        });
    }

    private void HandleRunNow(RunNow command)
    {
        requester = Sender;
        var run = new ConnectionRun(config, bookmarks, workers, connect, loggerFactory.CreateLogger("run"), clock);
        run.ExecuteAsync(command.Tables, stopping.Token).PipeTo(Self,
            success: report => new RunFinished(report),
            failure: ex => new RunFinished(new RunReport(config.ConnectionId, Guid.NewGuid(), clock.GetUtcNow(), TimeSpan.Zero, [], [ex.GetBaseException().Message])));
        Become(Running);
    }

    private sealed record RunFinished(RunReport Report) : INoSerializationVerificationNeeded;
}
