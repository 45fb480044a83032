using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Microsoft.Extensions.Logging;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Ports;
using ResponsysCluster.Domain.Scheduling;
using ResponsysCluster.Engine.Scheduling;
using static ResponsysCluster.Engine.Runs.ConnectionRunProtocol;
using static ResponsysCluster.Engine.Registry.ConnectionRegistryProtocol;
using static ResponsysCluster.Engine.Runs.ConnectionSchedulerProtocol;

namespace ResponsysCluster.Engine.Runs;

/// <summary>
/// One per connection: starts runs on demand and on the connection's schedule, never two at once (a tick that
/// comes during a run is dropped). Started anywhere (a cluster moves it between nodes), it first reads when the
/// connection's latest run started, so that its schedule counts from there instead of running at once. Each run is a child <see cref="ConnectionRunActor"/> that announces its jobs to
/// <c>workers</c> (the node's file workers, or every node's), which pull them.
/// </summary>
public sealed class ConnectionSchedulerActor : ReceiveActor, IWithTimers
{
    private const string TickTimer = "schedule-tick";

    /// <summary>
    /// How soon a scheduled connection tries again when its run found another run's lock held: after a move between
    /// nodes the old run may still be letting go of it, and its work should not wait for the next tick.
    /// </summary>
    public static readonly TimeSpan LockRetry = TimeSpan.FromSeconds(15);

    private ConnectionConfig config;
    private ConnectionPorts ports;
    private readonly IActorRef bookmarks;
    private readonly IActorRef workers;
    private readonly ILoggerFactory loggerFactory;
    private readonly TimeProvider clock;
    private readonly RunLimits limits;
    private readonly ILoggingAdapter log = Context.GetLogger();
    private readonly Func<ConnectionSettings?>? currentSettings;
    private ScheduleClock? scheduleClock;
    private bool paused;
    private ConnectionSettings? waitingSettings;
    private IActorRef? requester;
    private IActorRef? run;
    private Guid runId;
    private RunGate gate = RunGate.Idle;

    public ConnectionSchedulerActor(ConnectionConfig config, ConnectionPorts ports, IActorRef bookmarks, IActorRef workers, ILoggerFactory loggerFactory,
        TimeProvider clock, RunLimits limits, Func<ConnectionSettings?>? currentSettings = null, bool paused = false)
    {
        this.config = config;
        this.ports = ports;
        this.currentSettings = currentSettings;
        this.paused = paused;
        this.bookmarks = bookmarks;
        this.workers = workers;
        this.loggerFactory = loggerFactory;
        this.clock = clock;
        this.limits = limits;
        // A bad cron expression fails here, when the node starts, not at the first tick.
        scheduleClock = config.Schedule is { } schedule ? new ScheduleClock(schedule) : null;
        // The gate alone knows whether a run is going: it decides, the handlers act on its decision.
        Receive<RunNow>(HandleRunNow);
        Receive<StartRun>(command => Sender.Tell(TryStartRun(command.Tables, null)
            ? new RunStarted(this.config.ConnectionId, runId)
            : new RunAlreadyRunning(this.config.ConnectionId)));
        Receive<Tick>(_ => HandleTick());
        Receive<RunFinished>(HandleRunFinished);
        Receive<LastRunStart>(last =>
        {
            gate = gate.Resuming(last.StartedAt);
            ScheduleNextTick();
        });
        Receive<Terminated>(HandleTerminated);
        Receive<ConnectionChanged>(_ => HandleChanged());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="currentSettings">
    /// The connection's settings now (null once it is gone), read when a <see cref="ConnectionChanged"/> comes:
    /// a registered connection's.
    /// </param>
    public static Props Props(ConnectionConfig config, ConnectionPorts ports, IActorRef bookmarks, IActorRef workers, ILoggerFactory loggerFactory,
        TimeProvider clock, RunLimits? limits = null, Func<ConnectionSettings?>? currentSettings = null, bool paused = false) =>
        Akka.Actor.Props.Create(() => new ConnectionSchedulerActor(config, ports, bookmarks, workers, loggerFactory, clock, limits ?? RunLimits.Default,
            currentSettings, paused));

    /// <summary>A run that throws is stopped, never restarted: a restarted run would list and load again under the same id.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    protected override void PreStart()
    {
        if (scheduleClock is null) return;
        var connectionId = config.ConnectionId;
        ports.Records.LastRunStartAsync(CancellationToken.None).PipeTo(Self, success: at => new LastRunStart(at), failure: ex =>
        {
            log.Warning("Could not read when connection {0} last ran ({1}); its schedule counts from now", connectionId, FailureText.Of(ex));
            return new LastRunStart(null);
        });
    }

    private void HandleRunNow(RunNow command)
    {
        if (!TryStartRun(command.Tables, Sender)) Sender.Tell(new RunAlreadyRunning(config.ConnectionId));
    }

    /// <summary>
    /// New settings apply at once, or when the run going ends (it keeps those it started with); a connection that is
    /// gone passivates its entity, which stops a run going and ends the schedule.
    /// </summary>
    private void HandleChanged()
    {
        if (currentSettings?.Invoke() is not { } settings)
        {
            log.Info("Connection {0} is no longer registered here: its scheduler stops", config.ConnectionId);
            Context.Parent.Tell(new Passivate(PoisonPill.Instance));
            return;
        }
        if (settings.Config == config && settings.Paused == paused) return;
        if (run is null) Reconfigure(settings);
        else waitingSettings = settings;
    }

    private void Reconfigure(ConnectionSettings settings)
    {
        (config, ports, paused) = (settings.Config, settings.Ports, settings.Paused);
        scheduleClock = config.Schedule is { } schedule ? new ScheduleClock(schedule) : null;
        Timers.Cancel(TickTimer);
        log.Info("Connection {0}: settings changed{1}", config.ConnectionId, paused ? "; its schedule is paused" : "");
        ScheduleNextTick();
    }

    private void HandleTick()
    {
        if (!TryStartRun(null, null))
            log.Info("Scheduled run of {0} skipped: the previous run is still going", config.ConnectionId);
    }

    /// <summary>The run stops once it has sent this; its <see cref="Terminated"/> comes later and no longer names the run going.</summary>
    private void HandleRunFinished(RunFinished finished) => EndRun(finished.Report);

    /// <summary>A run that stopped without finishing (it threw) is reported as failed.</summary>
    private void HandleTerminated(Terminated terminated)
    {
        if (terminated.ActorRef.Equals(run))
        {
            log.Warning("Run {0} of {1} stopped before it finished", runId, config.ConnectionId);
            var startedAt = gate.RunningSince!.Value;
            EndRun(new RunReport(config.ConnectionId, runId, startedAt, clock.GetUtcNow() - startedAt, [],
                ["the run stopped unexpectedly; see the node's log"]));
        }
    }

    private void EndRun(RunReport report)
    {
        log.Info("Run {0} of {1} finished in {2:F1} s", report.RunId, config.ConnectionId, report.Duration.TotalSeconds);
        requester?.Tell(report);
        requester = null;
        run = null;
        gate = gate.Finish();
        if (waitingSettings is { } settings)
        {
            waitingSettings = null;
            Reconfigure(settings);
        }
        else if (report.LockHeld && scheduleClock is not null && !paused)
        {
            log.Info("Run {0} of {1} found another run's lock held; trying again in {2:F0} s", report.RunId, config.ConnectionId, LockRetry.TotalSeconds);
            Timers.StartSingleTimer(TickTimer, Tick.Instance, LockRetry);
        }
        else ScheduleNextTick();
    }

    private void ScheduleNextTick()
    {
        if (scheduleClock is null || paused) return;
        var now = clock.GetUtcNow();
        var next = scheduleClock.NextAfter(now, gate.LastStart);
        log.Info("Next scheduled run of {0}: {1:O}", config.ConnectionId, next);
        // Never before now: an interval's next run is now at the earliest, an anchor's or a cron's strictly after it.
        Timers.StartSingleTimer(TickTimer, Tick.Instance, next - now);
    }

    /// <summary>Starts a run unless the gate says one is going; false when it does.</summary>
    private bool TryStartRun(IReadOnlyList<string>? tables, IActorRef? replyTo)
    {
        (var decision, gate) = gate.TryStart(clock.GetUtcNow());
        if (decision == RunGateDecision.SkipBecauseRunning) return false;
        requester = replyTo;
        runId = Guid.NewGuid();
        var start = new RunStart(runId, config, ports, bookmarks, workers, tables, limits);
        run = Context.ActorOf(ConnectionRunActor.Props(start, clock, loggerFactory.CreateLogger("run")), "run-" + runId.ToString("N"));
        Context.Watch(run);
        return true;
    }

    private sealed record LastRunStart(DateTimeOffset? StartedAt) : INoSerializationVerificationNeeded;

    private sealed record Tick : INoSerializationVerificationNeeded
    {
        public static readonly Tick Instance = new();
    }
}
