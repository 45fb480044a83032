using Akka.Actor;
using Akka.Event;
using Microsoft.Extensions.Logging;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Scheduling;
using ResponsysCluster.Engine.Files;
using ResponsysCluster.Engine.Scheduling;
using ResponsysCluster.Postgres;
using static ResponsysCluster.Engine.Runs.ConnectionSchedulerProtocol;

namespace ResponsysCluster.Engine.Runs;

/// <summary>
/// One per connection: starts runs on demand and on the connection's schedule, never two at once (a tick that
/// comes during a run is dropped), and owns the connection's file workers (as many as downloads may run at
/// once from its SFTP host).
/// </summary>
public sealed class ConnectionSchedulerActor : ReceiveActor, IWithTimers
{
    private const string TickTimer = "schedule-tick";

    private readonly ConnectionConfig config;
    private readonly IActorRef bookmarks;
    private readonly Func<CancellationToken, Task<IExportDirectory>> connect;
    private readonly ILoggerFactory loggerFactory;
    private readonly TimeProvider clock;
    private readonly FileLoadService fileLoads;
    private readonly RunRecords records;
    private readonly CancellationTokenSource stopping = new();
    private readonly ILoggingAdapter log = Context.GetLogger();
    private readonly ScheduleClock? scheduleClock;
    private List<IActorRef> workers = [];
    private IActorRef? requester;
    private RunGate gate = RunGate.Idle;

    public ConnectionSchedulerActor(ConnectionConfig config, IActorRef bookmarks, FileLoadService fileLoads, RunRecords records,
        Func<CancellationToken, Task<IExportDirectory>> connect, ILoggerFactory loggerFactory, TimeProvider clock)
    {
        this.records = records;
        this.config = config;
        this.bookmarks = bookmarks;
        this.fileLoads = fileLoads;
        this.connect = connect;
        this.loggerFactory = loggerFactory;
        this.clock = clock;
        // A bad cron expression fails here, when the node starts, not at the first tick.
        scheduleClock = config.Schedule is { } schedule ? new ScheduleClock(schedule) : null;
        // The gate alone knows whether a run is going: it decides, the handlers act on its decision.
        Receive<RunNow>(HandleRunNow);
        Receive<Tick>(_ => HandleTick());
        Receive<RunFinished>(HandleRunFinished);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ConnectionConfig config, IActorRef bookmarks, FileLoadService fileLoads, RunRecords records,
        Func<CancellationToken, Task<IExportDirectory>> connect, ILoggerFactory loggerFactory, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new ConnectionSchedulerActor(config, bookmarks, fileLoads, records, connect, loggerFactory, clock));

    protected override void PreStart()
    {
        workers = Enumerable.Range(1, config.MaxConcurrentDownloads)
            .Select(i => Context.ActorOf(FileWorkerActor.Props(fileLoads), $"file-worker-{i}"))
            .ToList();
        ScheduleNextTick();
    }

    protected override void PostStop()
    {
        stopping.Cancel();
        stopping.Dispose();
    }

    private void HandleRunNow(RunNow command)
    {
        if (!TryStartRun(command.Tables, Sender)) Sender.Tell(new RunAlreadyRunning(config.ConnectionId));
    }

    private void HandleTick()
    {
        if (!TryStartRun(null, null))
            log.Info("Scheduled run of {0} skipped: the previous run is still going", config.ConnectionId);
    }

    private void HandleRunFinished(RunFinished finished)
    {
        log.Info("Run {0} of {1} finished in {2:F1} s", finished.Report.RunId, config.ConnectionId, finished.Report.Duration.TotalSeconds);
        requester?.Tell(finished.Report);
        requester = null;
        gate = gate.Finish();
        ScheduleNextTick();
    }

    private void ScheduleNextTick()
    {
        if (scheduleClock is null) return;
        var now = clock.GetUtcNow();
        var next = scheduleClock.NextAfter(now, gate.LastStart);
        log.Info("Next scheduled run of {0}: {1:O}", config.ConnectionId, next);
        Timers.StartSingleTimer(TickTimer, Tick.Instance, next > now ? next - now : TimeSpan.Zero);
    }

    /// <summary>Starts a run unless the gate says one is going; false when it does.</summary>
    private bool TryStartRun(IReadOnlyList<string>? tables, IActorRef? replyTo)
    {
        (var decision, gate) = gate.TryStart(clock.GetUtcNow());
        if (decision == RunGateDecision.SkipBecauseRunning) return false;
        requester = replyTo;
        var run = new ConnectionRun(config, bookmarks, workers, connect, records, loggerFactory.CreateLogger("run"), clock);
        run.ExecuteAsync(tables, stopping.Token).PipeTo(Self,
            success: report => new RunFinished(report),
            failure: ex => new RunFinished(new RunReport(config.ConnectionId, Guid.NewGuid(), clock.GetUtcNow(), TimeSpan.Zero, [], [ex.GetBaseException().Message])));
        return true;
    }

    private sealed record RunFinished(RunReport Report) : INoSerializationVerificationNeeded;

    private sealed record Tick : INoSerializationVerificationNeeded
    {
        public static readonly Tick Instance = new();
    }
}
