using Npgsql;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Postgres.Tests;

/// <summary>The connection's run lock on the real PostgreSQL: one holder at a time, named, released with its connection.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ConnectionRunLockTests(PostgresServer server)
{
    private readonly string connection = "l" + Guid.NewGuid().ToString("N")[..12];

    [Fact(Timeout = 60_000)]
    public async Task One_holder_at_a_time_named_with_its_command_host_and_start_and_free_again_once_released()
    {
        await using var dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        Assert.Null(await ConnectionRunLock.HolderAsync(dataSource, connection, CancellationToken.None));

        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        var first = await ConnectionRunLock.TryAcquireAsync(server.ConnectionString, connection, "sync", CancellationToken.None);
        Assert.NotNull(first);
        Assert.Null(await ConnectionRunLock.TryAcquireAsync(server.ConnectionString, connection, "sync", CancellationToken.None));
        // Another connection id is another lock.
        await using (var other = await ConnectionRunLock.TryAcquireAsync(server.ConnectionString, connection + "x", "sync", CancellationToken.None))
            Assert.NotNull(other);

        var holder = await ConnectionRunLock.HolderAsync(dataSource, connection, CancellationToken.None);
        Assert.NotNull(holder);
        Assert.Equal($"sync on {Environment.MachineName} (pid {Environment.ProcessId})", holder.Description);
        Assert.InRange(holder.Since!.Value, before, DateTimeOffset.UtcNow);

        await first.DisposeAsync();
        Assert.Null(await ConnectionRunLock.HolderAsync(dataSource, connection, CancellationToken.None));
        await using var second = await ConnectionRunLock.TryAcquireAsync(server.ConnectionString, connection, "node", CancellationToken.None);
        Assert.NotNull(second);
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_take_the_lock_for_one_run_and_say_which_node_holds_it_while_it_runs()
    {
        var nodeA = new NpgsqlConnectionStringBuilder(server.ConnectionString) { ApplicationName = "responsys-cluster:node-a" }.ConnectionString;
        await using var dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        await using var locksA = new NodeRunLocks(nodeA);
        await using var locksB = new NodeRunLocks(server.ConnectionString);
        var onA = new PostgresRunLock(locksA, dataSource, connection);
        var onB = new PostgresRunLock(locksB, dataSource, connection);

        var first = await onA.TryTakeAsync(CancellationToken.None);
        Assert.NotNull(first.Lease);
        var refused = await onB.TryTakeAsync(CancellationToken.None);
        var refusedOnA = await onA.TryTakeAsync(CancellationToken.None);
        Assert.Null(refused.Lease);
        Assert.Equal($"another run of connection {connection} is in progress: node node-a", refused.HeldBy);
        Assert.Equal(refused.HeldBy, refusedOnA.HeldBy);

        await first.Lease.DisposeAsync();
        var second = await onB.TryTakeAsync(CancellationToken.None);
        Assert.NotNull(second.Lease);
        await second.Lease.DisposeAsync();
    }

    [Fact]
    public void Should_say_so_when_the_holder_is_in_a_session_this_user_cannot_see()
    {
        Assert.Equal("another run of connection c1 is in progress (in a session this database user cannot see)", PostgresRunLock.Describe("c1", null));
        Assert.Equal("another run of connection c1 is in progress: node b since 2024-03-01T08:00:00Z",
            PostgresRunLock.Describe("c1", new ConnectionRunHolder("node b", new DateTimeOffset(2024, 3, 1, 9, 0, 0, TimeSpan.FromHours(1)))));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_report_a_database_it_cannot_reach_when_taking_a_run_lock()
    {
        var nowhere = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Port = 1, Timeout = 3 }.ConnectionString;
        await using var dataSource = NpgsqlDataSource.Create(nowhere);

        await using var locks = new NodeRunLocks(nowhere);
        var error = await Assert.ThrowsAsync<Domain.Ports.DatabaseUnavailableException>(() =>
            new PostgresRunLock(locks, dataSource, connection).TryTakeAsync(CancellationToken.None));
        Assert.StartsWith("PostgreSQL: ", error.Message);
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_hold_all_the_run_locks_of_a_node_on_one_session_and_release_each_alone()
    {
        var name = "responsys-cluster:locks-" + connection;
        await using var dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        await using var locks = new NodeRunLocks(new NpgsqlConnectionStringBuilder(server.ConnectionString) { ApplicationName = name }.ConnectionString);
        await using var sessions = SessionsNamed(dataSource, name);

        var taken = new List<bool>();
        for (var i = 0; i < 5; i++) taken.Add(await locks.TryTakeAsync(connection + i, CancellationToken.None));
        var openSessions = await sessions.ExecuteScalarAsync();
        await locks.ReleaseAsync(connection + 0);

        Assert.Equal([true, true, true, true, true], taken);
        Assert.Equal(1L, openSessions);
        Assert.Null(await ConnectionRunLock.HolderAsync(dataSource, connection + 0, CancellationToken.None));
        Assert.Equal("node locks-" + connection, (await ConnectionRunLock.HolderAsync(dataSource, connection + 1, CancellationToken.None))?.Description);
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_take_its_locks_again_on_a_new_session_when_the_old_one_was_killed()
    {
        var name = "responsys-cluster:relock-" + connection;
        await using var dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        await using var locks = new NodeRunLocks(new NpgsqlConnectionStringBuilder(server.ConnectionString) { ApplicationName = name }.ConnectionString);
        Assert.True(await locks.TryTakeAsync(connection, CancellationToken.None));
        await KillSessionsNamedAsync(dataSource, name);

        // The next use finds the session gone, opens another and holds both locks there.
        Assert.True(await locks.TryTakeAsync(connection + "x", CancellationToken.None));

        Assert.Equal("node relock-" + connection, (await ConnectionRunLock.HolderAsync(dataSource, connection, CancellationToken.None))?.Description);
        Assert.Equal("node relock-" + connection, (await ConnectionRunLock.HolderAsync(dataSource, connection + "x", CancellationToken.None))?.Description);
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_close_its_own_session_when_released_rather_than_keep_it_in_a_pool()
    {
        var name = "responsys-cluster:lock-" + connection;
        var named = new NpgsqlConnectionStringBuilder(server.ConnectionString) { ApplicationName = name }.ConnectionString;
        await using var dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        await using var sessions = SessionsNamed(dataSource, name);

        var held = await ConnectionRunLock.TryAcquireAsync(named, connection, "node", CancellationToken.None);
        Assert.Equal(1L, await sessions.ExecuteScalarAsync());
        await held!.DisposeAsync();
        await ExpectNoSessionWithin10sAsync(sessions, "the lock's session is still open 10 s after it was released");
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_keep_a_nodes_session_name_and_name_the_node_as_the_holder()
    {
        var nodeConnectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { ApplicationName = "responsys-cluster:node-a" }.ConnectionString;
        await using var held = await ConnectionRunLock.TryAcquireAsync(nodeConnectionString, connection, "node", CancellationToken.None);
        await using var dataSource = NpgsqlDataSource.Create(server.ConnectionString);

        Assert.Equal("node node-a", (await ConnectionRunLock.HolderAsync(dataSource, connection, CancellationToken.None))?.Description);
        await using var names = dataSource.CreateCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'responsys-cluster:node-a'");
        Assert.Equal(1L, await names.ExecuteScalarAsync());
    }

    [Theory(Timeout = 60_000)]
    [InlineData("psql")]
    [InlineData("")]
    public async Task Should_call_a_holder_not_named_by_this_product_a_process_of_another_program(string applicationName)
    {
        await using var other = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server.ConnectionString)
            { ApplicationName = applicationName, Pooling = false }.ConnectionString);
        await other.OpenAsync();
        await using (var take = AdvisoryCall("pg_advisory_lock", other)) await take.ExecuteNonQueryAsync();
        await using var dataSource = NpgsqlDataSource.Create(server.ConnectionString);

        var holder = await ConnectionRunLock.HolderAsync(dataSource, connection, CancellationToken.None);

        Assert.Equal("a process of another program", holder?.Description);
        Assert.NotEqual(default, holder!.Since);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_waiting_acquire_gets_the_lock_when_the_holder_releases_it()
    {
        var first = await ConnectionRunLock.TryAcquireAsync(server.ConnectionString, connection, "sync", CancellationToken.None);
        Assert.NotNull(first);
        var waiting = ConnectionRunLock.AcquireAsync(server.ConnectionString, connection, "sync", CancellationToken.None);
        await using var dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        await ExpectAWaiterWithin30sAsync(dataSource);
        Assert.False(waiting.IsCompleted);

        await first.DisposeAsync();
        await using var second = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotNull(await ConnectionRunLock.HolderAsync(dataSource, connection, CancellationToken.None));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_cut_a_holder_name_to_the_63_bytes_PostgreSQL_keeps()
    {
        var command = new string('c', 80);
        await using var held = await ConnectionRunLock.TryAcquireAsync(server.ConnectionString, connection, command, CancellationToken.None);
        await using var dataSource = NpgsqlDataSource.Create(server.ConnectionString);

        var holder = await ConnectionRunLock.HolderAsync(dataSource, connection, CancellationToken.None);

        // "responsys-cluster " takes 18 of the 63 bytes.
        Assert.Equal(new string('c', 45), holder?.Description);
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_close_the_session_of_a_waiting_acquire_when_it_is_cancelled()
    {
        var command = "wait-" + connection;
        await using var first = await ConnectionRunLock.TryAcquireAsync(server.ConnectionString, connection, "sync", CancellationToken.None);
        Assert.NotNull(first);
        await using var dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        await using var sessions = SessionsNamed(dataSource, "responsys-cluster " + command + " %");
        using var cancel = new CancellationTokenSource();
        var waiting = ConnectionRunLock.AcquireAsync(server.ConnectionString, connection, command, cancel.Token);
        await ExpectAWaiterWithin30sAsync(dataSource);
        Assert.Equal(1L, await sessions.ExecuteScalarAsync());

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        await ExpectNoSessionWithin10sAsync(sessions, "the cancelled acquire's session is still open 10 s later");
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_give_back_a_lock_whose_session_was_killed_without_an_error()
    {
        var command = "killed-" + connection;
        var held = await ConnectionRunLock.TryAcquireAsync(server.ConnectionString, connection, command, CancellationToken.None);
        Assert.NotNull(held);
        await using var dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        await KillSessionsNamedAsync(dataSource, "responsys-cluster " + command + " %");

        await held.DisposeAsync();

        await using var next = await ConnectionRunLock.AcquireAsync(server.ConnectionString, connection, "sync", CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotNull(next);
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_close_the_session_it_opened_when_the_lock_is_held_elsewhere()
    {
        var command = "refused-" + connection;
        await using var first = await ConnectionRunLock.TryAcquireAsync(server.ConnectionString, connection, "sync", CancellationToken.None);
        Assert.NotNull(first);
        await using var dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        await using var sessions = SessionsNamed(dataSource, "responsys-cluster " + command + " %");

        Assert.Null(await ConnectionRunLock.TryAcquireAsync(server.ConnectionString, connection, command, CancellationToken.None));

        await ExpectNoSessionWithin10sAsync(sessions, "the refused attempt's session is still open 10 s later");
    }

    private async Task ExpectAWaiterWithin30sAsync(NpgsqlDataSource dataSource)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await IsWaitingAsync(dataSource) && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.True(await IsWaitingAsync(dataSource), "the second acquire never waited in PostgreSQL");
    }

    private async Task<bool> IsWaitingAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid::bigint = @class AND objid::bigint = @key");
        command.Parameters.AddWithValue("class", (long)ConnectionRunLock.LockClass);
        command.Parameters.AddWithValue("key", (long)ConnectionRunLock.KeyOf(connection));
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_free_the_lock_before_closing_its_session_so_that_a_run_started_right_after_takes_it()
    {
        // A session already open, as another node's would be: it asks the moment the release returns, before the
        // released session's server process could have ended.
        await using var other = new NpgsqlConnection(server.ConnectionString);
        await other.OpenAsync();
        for (var i = 0; i < 20; i++)
        {
            var held = await ConnectionRunLock.TryAcquireAsync(server.ConnectionString, connection, "sync", CancellationToken.None);
            Assert.NotNull(held);

            await held.DisposeAsync();
            await using var take = AdvisoryCall("pg_try_advisory_lock", other);
            var taken = (bool)(await take.ExecuteScalarAsync())!;

            Assert.True(taken, $"release {i + 1}: the lock was still held when its release returned");
            await using var give = AdvisoryCall("pg_advisory_unlock", other);
            await give.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Counts the sessions whose application name is like <paramref name="name"/>.</summary>
    private static NpgsqlCommand SessionsNamed(NpgsqlDataSource dataSource, string name)
    {
        var command = dataSource.CreateCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE @name");
        command.Parameters.AddWithValue("name", name);
        return command;
    }

    private static async Task KillSessionsNamedAsync(NpgsqlDataSource dataSource, string name)
    {
        await using var kill = dataSource.CreateCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE @name");
        kill.Parameters.AddWithValue("name", name);
        await kill.ExecuteNonQueryAsync();
    }

    /// <summary>A session's server process ends a moment after its client closes it.</summary>
    private static async Task ExpectNoSessionWithin10sAsync(NpgsqlCommand sessions, string failure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((long)(await sessions.ExecuteScalarAsync())! > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(100);
        }
    }

    /// <summary><paramref name="function"/> on this connection's run lock, called on a session of the test's own.</summary>
    private NpgsqlCommand AdvisoryCall(string function, NpgsqlConnection session)
    {
        var command = new NpgsqlCommand($"SELECT {function}(@class, @key)", session);
        command.Parameters.AddWithValue("class", ConnectionRunLock.LockClass);
        command.Parameters.AddWithValue("key", ConnectionRunLock.KeyOf(connection));
        return command;
    }
}
