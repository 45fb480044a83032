using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Scheduling;
using ResponsysCluster.Engine.Bookmarks;
using ResponsysCluster.Domain.Ports;
using ResponsysCluster.Engine.Files;
using ResponsysCluster.Engine.Runs;
using ResponsysCluster.Node.Hosting;
using ResponsysCluster.TestServers;
using static ResponsysCluster.Engine.Registry.ConnectionRegistryProtocol;
using static ResponsysCluster.Engine.Runs.ConnectionSchedulerProtocol;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// The scheduler on a controlled clock: the actor's wall clock is a <see cref="ManualClock"/> and its timers run on
/// Akka's <see cref="TestScheduler"/>, both moved by the test. A run is held in progress by a connect function that
/// waits for the test's permit, then connects to the real sshd; run records go to the real PostgreSQL.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class ConnectionSchedulerActorTests(SftpServer sftp, PostgresServer postgres)
    : TestKit("""
        akka.loglevel = INFO
        akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
        """), IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 10, 10, 15, 0, TimeSpan.Zero);

    private readonly string connection = "s" + Guid.NewGuid().ToString("N")[..10];
    private readonly ManualClock clock = new(T0);
    private readonly SemaphoreSlim runPermits = new(0);
    private int connects;
    private NpgsqlDataSource dataSource = null!;
    private ConnectionAdapters? adapters;

    /// <summary>A wall clock that moves only when the test moves it.</summary>
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private long ticks = start.UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref ticks), TimeSpan.Zero);

        public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);
    }

    private TestScheduler Timers => (TestScheduler)Sys.Scheduler;

    public async Task InitializeAsync()
    {
        dataSource = NpgsqlDataSource.Create(postgres.ConnectionString);
        await ConnectionAdapters.PrepareDatabaseAsync(dataSource, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        // Whatever a failed test left held may go on and end.
        runPermits.Release(100);
        if (adapters is not null) await adapters.DisposeAsync();
        await dataSource.DisposeAsync();
    }

    /// <summary>The settings a <see cref="ConnectionChanged"/> makes the scheduler read (null: the connection is gone).</summary>
    private ConnectionSettings? current;

    private IActorRef StartScheduler(ReplicationSchedule schedule, Func<Props, IActorRef>? spawn = null, IConnectionRunLock? runLock = null)
    {
        var config = new ConnectionConfig
        {
            Host = sftp.Host, Port = sftp.Port, Username = sftp.User, Path = sftp.CreateExportDirectory().Path,
            PrivateKeyFile = sftp.KeyPath("ed25519"), ConnectionId = connection, Schedule = schedule,
        };
        adapters = new ConnectionAdapters(dataSource, NullLoggerFactory.Instance, "test");
        var ports = adapters.For(config);
        var bookmarks = Sys.ActorOf(TableBookmarksActor.Props(_ => null));
        var held = ports with { Directory = new HeldConnector(this, ports.Directory), RunLock = runLock };
        var workers = Sys.ActorOf(FileWorkerPoolActor.Props(config.MaxConcurrentDownloads, _ => new FileLoadService(held)));
        current = new ConnectionSettings(config, held, Paused: false);
        var props = ConnectionSchedulerActor.Props(config, held, bookmarks, workers, NullLoggerFactory.Instance, clock, currentSettings: () => current);
        return spawn is null ? Sys.ActorOf(props) : spawn(props);
    }

    /// <summary>A parent that sends its child's messages to a probe, as a shard would receive a passivation.</summary>
    private sealed class ProbeParent : ReceiveActor
    {
        public ProbeParent(Props child, IActorRef probe)
        {
            probe.Tell(Context.ActorOf(child, "scheduler"));
            ReceiveAny(message => probe.Forward(message));
        }
    }

    /// <summary>Counts connects and holds each until the test releases a permit, then connects to the real sshd.</summary>
    private sealed class HeldConnector(ConnectionSchedulerActorTests test, IExportDirectoryConnector real) : IExportDirectoryConnector
    {
        public async Task<IExportDirectory> ConnectAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref test.connects);
            await test.runPermits.WaitAsync(cancellationToken);
            return await real.ConnectAsync(cancellationToken);
        }
    }

    /// <summary>Moves the wall clock and the timers together.</summary>
    private void Advance(TimeSpan by)
    {
        clock.Advance(by);
        Timers.Advance(by);
    }

    /// <summary>Does <paramref name="action"/> and expects the scheduler to log <paramref name="text"/> exactly once.</summary>
    private Task ExpectLogAsync(string text, Action action) =>
        EventFilter.Info(contains: text).ExpectOneAsync(() =>
        {
            action();
            return Task.CompletedTask;
        });

    /// <summary>Awaits <paramref name="action"/> and expects the scheduler to log <paramref name="text"/> exactly once.</summary>
    private Task ExpectLogAsync(string text, Func<Task> action) => EventFilter.Info(contains: text).ExpectOneAsync(action);

    private int Connects => Volatile.Read(ref connects);

    /// <summary>Runs that reached the database: each writes its own 'connect' step.</summary>
    private async Task<long> RunsLoggedAsync()
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT count(DISTINCT run_id) FROM responsys_cluster.extraction_log WHERE connection_id = '{connection}' AND step = 'connect'");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private Task AwaitConnectsAsync(int expected) =>
        AwaitConditionAsync(() => Task.FromResult(Connects == expected), TimeSpan.FromSeconds(20));

    [Fact(Timeout = 60_000)]
    public async Task Should_drop_a_tick_that_comes_during_a_run_and_start_one_at_the_next_tick()
    {
        // Hourly on the hour; at 10:15 the first tick is due at 11:00.
        var scheduler = StartScheduler(new CronSchedule("0 * * * *", TimeZoneInfo.Utc));
        scheduler.Tell(new RunNow(null), TestActor);
        await AwaitConnectsAsync(1);

        // 11:00 comes while the run on demand is held: the tick is dropped, and a second request is refused.
        await ExpectLogAsync($"Scheduled run of {connection} skipped: the previous run is still going", () => Advance(TimeSpan.FromMinutes(45)));
        var other = CreateTestProbe();
        scheduler.Tell(new RunNow(null), other);
        Assert.Equal(connection, (await other.ExpectMsgAsync<RunAlreadyRunning>()).ConnectionId);
        Assert.Equal(1, Connects);

        // The run ends: exactly one ran, and the next tick is 12:00.
        await EventFilter.Info(contains: $"Next scheduled run of {connection}: {T0.AddMinutes(105):O}").ExpectOneAsync(async () =>
        {
            runPermits.Release();
            var report = await ExpectMsgAsync<RunReport>(TimeSpan.FromSeconds(30));
            Assert.Empty(report.Errors);
        });
        Assert.Equal(1, Connects);
        Assert.Equal(1, await RunsLoggedAsync());

        // The next tick after the run starts a new one.
        Advance(TimeSpan.FromHours(1));
        await AwaitConnectsAsync(2);
        await ExpectLogAsync($"Next scheduled run of {connection}: {T0.AddMinutes(165):O}", () => runPermits.Release());
        Assert.Equal(2, await RunsLoggedAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_time_an_interval_from_the_start_of_the_last_run()
    {
        // Every hour: the first tick is due at once.
        IActorRef scheduler = null!;
        await ExpectLogAsync($"Next scheduled run of {connection}: {T0:O}", () => scheduler = StartScheduler(new IntervalSchedule(TimeSpan.FromHours(1))));
        Timers.Advance(TimeSpan.Zero);
        await AwaitConnectsAsync(1);

        // The run takes ten minutes: the next one is an hour after it started, not after it ended.
        clock.Advance(TimeSpan.FromMinutes(10));
        await ExpectLogAsync($"Next scheduled run of {connection}: {T0.AddHours(1):O}", () => runPermits.Release());
        Advance(TimeSpan.FromMinutes(49));
        scheduler.Tell(new RunNow(null), TestActor);
        // The request on demand starts at once (nothing runs), so the timer had not fired before it.
        await AwaitConnectsAsync(2);
        await EventFilter.Info(contains: $"Next scheduled run of {connection}: {T0.AddMinutes(59).AddHours(1):O}").ExpectOneAsync(async () =>
        {
            runPermits.Release();
            await ExpectMsgAsync<RunReport>(TimeSpan.FromSeconds(30));
        });
        Assert.Equal(2, await RunsLoggedAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_count_the_schedule_from_the_latest_run_when_started_again_rather_than_run_at_once()
    {
        // The connection ran 20 minutes ago (on this node or another): started again, as after a move between nodes,
        // an hourly scheduler waits the 40 minutes left.
        await using (var earlier = dataSource.CreateCommand("""
            INSERT INTO responsys_cluster.extraction_log (run_id, connection_id, at, step, message) VALUES (@r, @c, @at, 'connect', 'connected')
            """))
        {
            earlier.Parameters.AddWithValue("r", Guid.NewGuid());
            earlier.Parameters.AddWithValue("c", connection);
            earlier.Parameters.AddWithValue("at", T0.AddMinutes(-20));
            await earlier.ExecuteNonQueryAsync();
        }

        await ExpectLogAsync($"Next scheduled run of {connection}: {T0.AddMinutes(40):O}", () => StartScheduler(new IntervalSchedule(TimeSpan.FromHours(1))));
        Advance(TimeSpan.FromMinutes(39));
        await Task.Delay(300);
        Assert.Equal(0, Connects);
        Advance(TimeSpan.FromMinutes(1));
        await AwaitConnectsAsync(1);
        runPermits.Release();
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_log_and_report_a_run_that_stopped_before_it_finished_and_start_the_next_at_its_tick()
    {
        // Hourly on the hour; at 10:15 the first tick is due at 11:00. The run on demand is held at its connect.
        var scheduler = StartScheduler(new CronSchedule("0 * * * *", TimeZoneInfo.Utc));
        scheduler.Tell(new RunNow(null), TestActor);
        await AwaitConnectsAsync(1);
        var run = await Sys.ActorSelection(scheduler.Path / "run-*").ResolveOne(TimeSpan.FromSeconds(5));
        var runId = Guid.ParseExact(run.Path.Name["run-".Length..], "N");

        // Five minutes in, the run stops without a word, as a run that threw does: the scheduler logs it, answers the
        // request with a failed report of that run, and keeps the 11:00 tick.
        clock.Advance(TimeSpan.FromMinutes(5));
        await EventFilter.Warning(contains: $"Run {runId} of {connection} stopped before it finished").ExpectOneAsync(() =>
            ExpectLogAsync($"Run {runId} of {connection} finished in 300.0 s", () =>
                ExpectLogAsync($"Next scheduled run of {connection}: {T0.AddMinutes(45):O}", () => Sys.Stop(run))));
        var report = await ExpectMsgAsync<RunReport>(TimeSpan.FromSeconds(10));
        Assert.NotEqual(Guid.Empty, runId);
        Assert.Equal((connection, runId, T0, TimeSpan.FromMinutes(5)), (report.ConnectionId, report.RunId, report.StartedAt, report.Duration));
        Assert.Equal("the run stopped unexpectedly; see the node's log", Assert.Single(report.Errors));
        Assert.Empty(report.Tables);

        // The run is released: the 11:00 tick starts the next one. Its report goes to no one, since the request it
        // would answer was answered already (the scheduler tells the requester before it logs the next tick).
        Advance(TimeSpan.FromMinutes(40));
        await AwaitConnectsAsync(2);
        await ExpectLogAsync($"Next scheduled run of {connection}: {T0.AddMinutes(105):O}", () => runPermits.Release());
        Assert.False(HasMessages);
        Assert.Equal(1, await RunsLoggedAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_not_tick_while_paused_and_tick_on_its_schedule_once_resumed()
    {
        // Hourly on the hour; at 10:15 the first tick is due at 11:00, but the connection is paused first.
        var scheduler = StartScheduler(new CronSchedule("0 * * * *", TimeZoneInfo.Utc));
        current = current! with { Paused = true };
        await ExpectLogAsync($"Connection {connection}: settings changed; its schedule is paused", () => scheduler.Tell(new ConnectionChanged(connection)));
        Advance(TimeSpan.FromHours(2));
        await Task.Delay(300);
        Assert.Equal(0, Connects);

        // Resumed at 12:15: the next tick is 13:00, and it runs.
        current = current with { Paused = false };
        await ExpectLogAsync($"Next scheduled run of {connection}: {T0.AddMinutes(165):O}", () => scheduler.Tell(new ConnectionChanged(connection)));
        Advance(TimeSpan.FromMinutes(45));
        await AwaitConnectsAsync(1);
        runPermits.Release();
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_keep_the_settings_of_the_run_going_and_take_the_changed_ones_when_it_ends()
    {
        var scheduler = StartScheduler(new CronSchedule("0 * * * *", TimeZoneInfo.Utc));
        scheduler.Tell(new RunNow(null), TestActor);
        await AwaitConnectsAsync(1);

        // The schedule becomes half past the hour while the run is held: nothing changes until it ends.
        current = current! with { Config = current.Config with { Schedule = new CronSchedule("30 * * * *", TimeZoneInfo.Utc) } };
        await EventFilter.Info(contains: "settings changed").ExpectAsync(0, () =>
        {
            scheduler.Tell(new ConnectionChanged(connection));
            return Task.Delay(300);
        });
        await ExpectLogAsync($"Connection {connection}: settings changed", () => ExpectLogAsync(
            $"Next scheduled run of {connection}: {T0.AddMinutes(15):O}", async () =>
            {
                runPermits.Release();
                await ExpectMsgAsync<RunReport>(TimeSpan.FromSeconds(30));
            }));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_passivate_once_its_connection_is_gone()
    {
        var parentProbe = CreateTestProbe();
        StartScheduler(new CronSchedule("0 * * * *", TimeZoneInfo.Utc), props => Sys.ActorOf(Props.Create(() => new ProbeParent(props, parentProbe.Ref)), "shard"));
        var scheduler = await parentProbe.ExpectMsgAsync<IActorRef>(TimeSpan.FromSeconds(5));

        current = null;
        scheduler.Tell(new ConnectionChanged(connection));

        var passivate = await parentProbe.ExpectMsgAsync<Passivate>(TimeSpan.FromSeconds(10));
        Assert.Equal(PoisonPill.Instance, passivate.StopMessage);
    }

    /// <summary>A run lock held by another run the first time it is asked, free after.</summary>
    private sealed class HeldOnceLock : IConnectionRunLock, IAsyncDisposable
    {
        private int asked;

        public Task<RunLockAttempt> TryTakeAsync(CancellationToken cancellationToken) => Task.FromResult(Interlocked.Increment(ref asked) == 1
            ? RunLockAttempt.Held("another run of connection c is in progress: node old")
            : RunLockAttempt.Taken(this));

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_try_again_soon_rather_than_at_the_next_tick_when_its_run_found_another_run_s_lock_held()
    {
        // Hourly on the hour: at 10:15 a run on demand finds the lock held (an old run letting go of it after a move).
        var scheduler = StartScheduler(new CronSchedule("0 * * * *", TimeZoneInfo.Utc), runLock: new HeldOnceLock());
        await EventFilter.Info(contains: $"found another run's lock held; trying again in 15 s").ExpectOneAsync(async () =>
        {
            scheduler.Tell(new RunNow(null), TestActor);
            var refused = await ExpectMsgAsync<RunReport>(TimeSpan.FromSeconds(30));
            Assert.True(refused.LockHeld);
            Assert.Equal("another run of connection c is in progress: node old", Assert.Single(refused.Errors));
        });
        Assert.Equal(0, Connects);

        // 15 s later, not at 11:00, the next run takes the lock and connects.
        Advance(TimeSpan.FromSeconds(14));
        await Task.Delay(300);
        Assert.Equal(0, Connects);
        Advance(TimeSpan.FromSeconds(1));
        await AwaitConnectsAsync(1);
        runPermits.Release();
    }
}
