using Npgsql;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Postgres.Tests;

/// <summary>A node's run locks on its one session: each taken once, given back alone or all at once, and kept across a broken session.</summary>
[Collection(PostgresCollection.Name)]
public sealed class NodeRunLocksTests(PostgresServer server) : IAsyncLifetime
{
    private readonly string connection = "n" + Guid.NewGuid().ToString("N")[..12];
    private NpgsqlDataSource dataSource = null!;

    public Task InitializeAsync()
    {
        dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await dataSource.DisposeAsync();

    private string SessionName => "responsys-cluster:node-" + connection;

    private NodeRunLocks Locks() =>
        new(new NpgsqlConnectionStringBuilder(server.ConnectionString) { ApplicationName = SessionName }.ConnectionString);

    /// <summary>Another process's attempt at the connection's lock, given back at once when it got it.</summary>
    private async Task<bool> FreeElsewhereAsync(string connectionId)
    {
        await using var other = await ConnectionRunLock.TryAcquireAsync(server.ConnectionString, connectionId, "sync", CancellationToken.None);
        return other is not null;
    }

    private async Task<long> SessionsAsync() =>
        await Sql.CountAsync(dataSource, "SELECT count(*) FROM pg_stat_activity WHERE application_name = @name", ("name", SessionName));

    private async Task KillSessionAsync() =>
        await Sql.RowsAsync(dataSource, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = @name", ("name", SessionName));

    private async Task WaitForNoSessionAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await SessionsAsync() > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the node's lock session is still open 10 s later");
            await Task.Delay(100);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_refuse_a_second_run_of_a_connection_on_the_same_node()
    {
        await using var locks = Locks();

        var first = await locks.TryTakeAsync(connection, CancellationToken.None);
        var second = await locks.TryTakeAsync(connection, CancellationToken.None);

        Assert.Equal((true, false), (first, second));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_refuse_a_lock_another_process_holds_and_take_it_once_that_process_gave_it_back()
    {
        await using var locks = Locks();
        var other = await ConnectionRunLock.TryAcquireAsync(server.ConnectionString, connection, "sync", CancellationToken.None);
        Assert.NotNull(other);

        var whileHeld = await locks.TryTakeAsync(connection, CancellationToken.None);
        await other.DisposeAsync();
        var once = await locks.TryTakeAsync(connection, CancellationToken.None);

        Assert.Equal((false, true), (whileHeld, once));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_let_another_process_take_a_lock_once_released_and_take_it_again_itself()
    {
        await using var locks = Locks();
        Assert.True(await locks.TryTakeAsync(connection, CancellationToken.None));
        Assert.False(await FreeElsewhereAsync(connection));

        await locks.ReleaseAsync(connection);

        Assert.True(await FreeElsewhereAsync(connection));
        Assert.True(await locks.TryTakeAsync(connection, CancellationToken.None));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_keep_its_locks_when_asked_to_release_one_it_does_not_hold()
    {
        await using var locks = Locks();
        Assert.True(await locks.TryTakeAsync(connection, CancellationToken.None));

        await locks.ReleaseAsync(connection + "x");

        Assert.False(await FreeElsewhereAsync(connection));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_release_every_lock_and_end_its_session_when_disposed()
    {
        var locks = Locks();
        Assert.True(await locks.TryTakeAsync(connection, CancellationToken.None));
        Assert.True(await locks.TryTakeAsync(connection + "x", CancellationToken.None));

        await locks.DisposeAsync();

        await WaitForNoSessionAsync();
        Assert.Equal((true, true), (await FreeElsewhereAsync(connection), await FreeElsewhereAsync(connection + "x")));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_release_every_lock_when_disposed_synchronously_by_a_host()
    {
        var locks = Locks();
        Assert.True(await locks.TryTakeAsync(connection, CancellationToken.None));

        locks.Dispose();

        await WaitForNoSessionAsync();
        Assert.True(await FreeElsewhereAsync(connection));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_drop_a_lock_another_process_took_while_its_session_was_gone_and_take_it_later_when_free()
    {
        await using var locks = Locks();
        Assert.True(await locks.TryTakeAsync(connection, CancellationToken.None));
        await KillSessionAsync();
        await WaitForNoSessionAsync();
        var other = await ConnectionRunLock.TryAcquireAsync(server.ConnectionString, connection, "sync", CancellationToken.None);
        Assert.NotNull(other);

        // The next use opens a new session: the lock the other process took meanwhile is not this node's any more.
        Assert.True(await locks.TryTakeAsync(connection + "x", CancellationToken.None));
        var whileOtherHolds = await locks.TryTakeAsync(connection, CancellationToken.None);
        await other.DisposeAsync();
        var onceFree = await locks.TryTakeAsync(connection, CancellationToken.None);

        Assert.Equal((false, true), (whileOtherHolds, onceFree));
        Assert.Equal(1L, await SessionsAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_forget_a_lock_released_after_its_session_was_killed_and_take_it_again_on_a_new_session()
    {
        await using var locks = Locks();
        Assert.True(await locks.TryTakeAsync(connection, CancellationToken.None));
        await KillSessionAsync();
        await WaitForNoSessionAsync();

        await locks.ReleaseAsync(connection);
        var again = await locks.TryTakeAsync(connection, CancellationToken.None);

        Assert.True(again);
        Assert.False(await FreeElsewhereAsync(connection));
        Assert.Equal(1L, await SessionsAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_take_no_lock_when_cancelled_before_it_starts()
    {
        await using var locks = Locks();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => locks.TryTakeAsync(connection, cancelled.Token));

        Assert.True(await FreeElsewhereAsync(connection));
    }
}
