using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using ResponsysCluster.Node.Commands;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// Faults in the middle of a load: the file has all its rows or none before the next run, and every row ends up
/// present exactly once after it. The SFTP connection runs through a <see cref="HoldingForwarder"/> that stops
/// the download part-way, so each fault lands while this test's COPY is under way, and the test checks that it did.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class FaultTests(SftpServer sftp, PostgresServer postgres)
{
    // About 20 MB: several read-ahead buffers, SFTP reads and COPY buffers. The download holds after 12 MB, so the
    // COPY has taken part of the file and cannot finish until the test releases it.
    private const int Rows = 500_000;
    private const long HoldAfterBytes = 12L * 1024 * 1024;
    private const int TestTimeout = 240_000;
    private static readonly DateTimeOffset T = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);
    private readonly string connection = "f" + Guid.NewGuid().ToString("N")[..10];

    private string Schema => "responsys_" + connection;

    private ExportDirectory LargeExport()
    {
        var exports = sftp.CreateExportDirectory();
        var csv = new StringBuilder("ID,EMAIL,NOTE\n");
        for (var i = 1; i <= Rows; i++) csv.Append(i).Append(",user").Append(i).Append("@example.com,\"note, ").Append(i).Append("\"\n");
        Assert.True(csv.Length > HoldAfterBytes * 3 / 2, "the file must be well past the point where the download holds");
        exports.Write("20180911_BIG_LIST.csv", csv.ToString(), T);
        exports.WriteReady("20180911_BIG_LIST.csv", Rows.ToString(), T);
        return exports;
    }

    private string WriteConfig(ExportDirectory exports, int port, JsonObject? extra = null)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("rsx-fault-").FullName, "connection.json");
        var json = new JsonObject
        {
            ["host"] = sftp.Host, ["port"] = port, ["username"] = sftp.User, ["path"] = exports.Path,
            ["private_key_file"] = sftp.KeyPath("ed25519"), ["start_date"] = "2018-01-01T00:00:00Z", ["connection_id"] = connection,
        };
        foreach (var (key, value) in extra ?? []) json[key] = value?.DeepClone();
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    private Task<long> LedgerRowsAsync(string connectionString) =>
        CountAsync(connectionString, $"SELECT count(*) FROM responsys_cluster.file_ledger WHERE connection_id = '{connection}'");

    /// <summary>Rows of the file in the target table; none when the table does not exist yet.</summary>
    private async Task<long> RowsInTableAsync(string connectionString) =>
        await CountAsync(connectionString, $"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{Schema}' AND table_name = 'big_list'") == 0
            ? 0
            : await CountAsync(connectionString, $"SELECT count(*) FROM {Schema}.big_list");

    /// <summary>Rows this test's own COPY has taken so far, or -1 when it is not running (other tests may be copying into the same server).</summary>
    private Task<long> CopiedSoFarAsync(string connectionString) => CountAsync(connectionString, $"""
        SELECT coalesce(max(coalesce(p.tuples_processed, 0)), -1) FROM pg_stat_activity a LEFT JOIN pg_stat_progress_copy p ON p.pid = a.pid
        WHERE a.query LIKE 'COPY "{Schema}".%'
        """);

    /// <summary>Waits until the download holds and this test's COPY runs with part of the file; returns the rows it took.</summary>
    private async Task<long> WaitForHeldCopyAsync(string connectionString, HoldingForwarder forwarder, Func<bool> gaveUp)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline && !gaveUp())
        {
            if (forwarder.Held > 0 && await CopiedSoFarAsync(connectionString) is var copied and > 0) return copied;
            await Task.Delay(20);
        }
        throw new TimeoutException("the load never reached its COPY with the download held");
    }

    /// <summary>The fault is about to land mid-COPY: the COPY runs with part of the rows, and nothing of the file is committed.</summary>
    private async Task AssertMidCopyAsync(string connectionString, long copiedWhenHeld)
    {
        Assert.InRange(copiedWhenHeld, 1, Rows - 1);
        Assert.InRange(await CopiedSoFarAsync(connectionString), 1, Rows - 1);
        Assert.Equal(0, await LedgerRowsAsync(connectionString));
    }

    /// <summary>Before any rerun: the interrupted file left none of its rows and no ledger row.</summary>
    private async Task AssertNothingOfTheFileAsync(string connectionString)
    {
        Assert.Equal(0, await LedgerRowsAsync(connectionString));
        Assert.Equal(0, await RowsInTableAsync(connectionString));
    }

    private async Task AssertEveryRowOnceAsync(string connectionString)
    {
        Assert.Equal(Rows, await CountAsync(connectionString, $"SELECT count(*) FROM {Schema}.big_list"));
        Assert.Equal(Rows, await CountAsync(connectionString, $"SELECT count(DISTINCT (_sdc_source_file, _sdc_source_lineno)) FROM {Schema}.big_list"));
        Assert.Equal(Rows, await CountAsync(connectionString, $"SELECT count(DISTINCT id) FROM {Schema}.big_list"));
        Assert.Equal(1, await LedgerRowsAsync(connectionString));
    }

    private static async Task RerunAsync(string config, string connectionString)
    {
        var output = new StringWriter();
        var exitCode = await new SyncCommand(NullLoggerFactory.Instance).RunAsync(new SyncArguments(config, connectionString, null), output, CancellationToken.None);
        Assert.True(exitCode == 0, output.ToString());
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_load_every_row_exactly_once_after_the_process_is_killed_mid_file()
    {
        await using var forwarder = new HoldingForwarder(sftp.Host, sftp.Port, HoldAfterBytes);
        var config = WriteConfig(LargeExport(), forwarder.Port);
        await using (var process = EngineProcess.Start(["sync", "--config", config, "--postgres", postgres.ConnectionString]))
        {
            var copied = await WaitForHeldCopyAsync(postgres.ConnectionString, forwarder, () => process.HasExited);
            await AssertMidCopyAsync(postgres.ConnectionString, copied);
            Assert.False(process.HasExited);
            await process.KillAsync();
        }
        await AssertNothingOfTheFileAsync(postgres.ConnectionString);

        forwarder.Release();
        await RerunAsync(config, postgres.ConnectionString);
        await AssertEveryRowOnceAsync(postgres.ConnectionString);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_fail_the_file_when_postgres_restarts_mid_load_and_load_it_whole_next_run()
    {
        var directory = Directory.CreateTempSubdirectory("rsx-pg-restart-").FullName;
        var started = await ProcessRunner.RunCheckedAsync("bash", [RepositoryRoot.Combine("deploy", "local", "postgres.sh"), "start", directory, "--test"]);
        var connectionString = EnvFile.Read(started.LastOutputLine)["RSX_POSTGRES"];
        try
        {
            await using var forwarder = new HoldingForwarder(sftp.Host, sftp.Port, HoldAfterBytes);
            var config = WriteConfig(LargeExport(), forwarder.Port);
            var output = new StringWriter();
            var first = new SyncCommand(NullLoggerFactory.Instance).RunAsync(new SyncArguments(config, connectionString, null), output, CancellationToken.None);
            var copied = await WaitForHeldCopyAsync(connectionString, forwarder, () => first.IsCompleted);
            await AssertMidCopyAsync(connectionString, copied);
            Assert.False(first.IsCompleted);

            await ProcessRunner.RunCheckedAsync("runuser", ["-u", "postgres", "--", "/usr/lib/postgresql/15/bin/pg_ctl", "-D", Path.Combine(directory, "data"),
                "-l", Path.Combine(directory, "pg.log"), "-m", "immediate", "-w", "restart"]);
            forwarder.Release();
            Assert.Equal(1, await first);
            Assert.Contains("BIG_LIST.csv", output.ToString());
            await AssertNothingOfTheFileAsync(connectionString);

            await RerunAsync(config, connectionString);
            await AssertEveryRowOnceAsync(connectionString);
        }
        finally
        {
            await ProcessRunner.RunAsync("bash", [RepositoryRoot.Combine("deploy", "local", "postgres.sh"), "stop", directory]);
            // A stopped throwaway server's data directory is a few hundred megabytes: gone with the test.
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_stop_the_node_cleanly_on_sigterm_rolling_back_the_file_in_flight()
    {
        await using var forwarder = new HoldingForwarder(sftp.Host, sftp.Port, HoldAfterBytes);
        var config = WriteConfig(LargeExport(), forwarder.Port, new JsonObject { ["schedule"] = new JsonObject { ["every"] = "1h" } });
        await using var process = EngineProcess.Start(["node", "--config", config, "--postgres", postgres.ConnectionString,
            "--port", "0", "--http", "127.0.0.1:0"]);
        var copied = await WaitForHeldCopyAsync(postgres.ConnectionString, forwarder, () => process.HasExited);
        await AssertMidCopyAsync(postgres.ConnectionString, copied);

        await ProcessRunner.RunCheckedAsync("kill", ["-TERM", process.Id.ToString()]);
        var (exitCode, _, stderr) = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(exitCode == 0, stderr);
        // The file was held mid-COPY when the node stopped: its transaction rolled back and left nothing.
        await AssertNothingOfTheFileAsync(postgres.ConnectionString);
    }
}
