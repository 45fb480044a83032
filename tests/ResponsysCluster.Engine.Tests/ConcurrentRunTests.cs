using System.Text.Json.Nodes;
using Npgsql;
using ResponsysCluster.Postgres;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// One connection, two runs at once: the second says who holds the connection (since when, on which host) and
/// exits 3, or with <c>--wait</c> waits for the first to end and then runs. The first run is played by the test
/// holding the connection's run lock, so that "at once" does not depend on timing.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class ConcurrentRunTests(SftpServer sftp, PostgresServer postgres)
{
    private const int TestTimeout = 180_000;
    private static readonly DateTimeOffset T = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);
    private readonly string connection = "c" + Guid.NewGuid().ToString("N")[..10];

    private string WriteConfig()
    {
        var exports = sftp.CreateExportDirectory();
        exports.Write("LIST_20180911.csv", "ID,NAME\n1,a\n2,b\n", T);
        exports.WriteReady("LIST_20180911.csv", "2", T);
        var path = Path.Combine(Directory.CreateTempSubdirectory("rsx-concurrent-").FullName, "connection.json");
        File.WriteAllText(path, new JsonObject
        {
            ["host"] = sftp.Host, ["port"] = sftp.Port, ["username"] = sftp.User, ["path"] = exports.Path,
            ["private_key_file"] = sftp.KeyPath("ed25519"), ["start_date"] = "2018-01-01T00:00:00Z", ["connection_id"] = connection,
        }.ToJsonString());
        return path;
    }

    private EngineProcess Sync(string config, params string[] more) =>
        EngineProcess.Start(["sync", "--config", config, "--postgres", postgres.ConnectionString, .. more]);

    [Fact(Timeout = TestTimeout)]
    public async Task A_second_run_of_a_connection_says_which_run_holds_it_and_exits_with_code_3()
    {
        var config = WriteConfig();
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        await using var held = await ConnectionRunLock.TryAcquireAsync(postgres.ConnectionString, connection, "sync", CancellationToken.None);
        Assert.NotNull(held);

        await using var second = Sync(config);
        var (exitCode, stdout, stderr) = await second.WaitForExitAsync(TimeSpan.FromSeconds(90));

        Assert.True(exitCode == 3, stderr);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n'), l => l.Contains("crit:"));
        Assert.Contains($"another run of connection {connection} is in progress: sync on {Environment.MachineName} (pid {Environment.ProcessId}) since ", line);
        Assert.Contains("give --wait to wait for it", line);
        var since = DateTimeOffset.Parse(line[(line.IndexOf(" since ", StringComparison.Ordinal) + 7)..].Split(' ')[0].TrimEnd(';', ','));
        Assert.InRange(since, before, DateTimeOffset.UtcNow);
        Assert.DoesNotContain("Timeout", stderr);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task With_wait_a_second_run_waits_for_the_first_and_then_runs()
    {
        var config = WriteConfig();
        var held = await ConnectionRunLock.TryAcquireAsync(postgres.ConnectionString, connection, "sync", CancellationToken.None);
        Assert.NotNull(held);

        await using var second = Sync(config, "--wait");
        // It waits in PostgreSQL for the lock: seen there, not guessed from a delay.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await IsWaitingAsync() && DateTime.UtcNow < deadline && !second.HasExited) await Task.Delay(100);
        Assert.False(second.HasExited, "the second run ended while the first held the connection");
        Assert.True(await IsWaitingAsync(), "the second run never waited for the lock");

        await held.DisposeAsync();
        var (exitCode, stdout, stderr) = await second.WaitForExitAsync(TimeSpan.FromSeconds(90));
        Assert.True(exitCode == 0, stderr);
        Assert.Matches(@"LIST\s+1\s+0\s+0\s+0\s+0\s+2\s", stdout);
        Assert.Contains("waiting for it to end", stderr);
    }

    private async Task<bool> IsWaitingAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(postgres.ConnectionString);
        await using var command = dataSource.CreateCommand(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid::bigint = @class AND objid::bigint = @key AND objsubid = 2");
        command.Parameters.AddWithValue("class", (long)ConnectionRunLock.LockClass);
        command.Parameters.AddWithValue("key", (long)ConnectionRunLock.KeyOf(connection));
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }
}
