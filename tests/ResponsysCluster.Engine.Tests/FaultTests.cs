using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using ResponsysCluster.Node.Commands;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Engine.Tests;

/// <summary>Faults in the middle of a load: every row ends up present exactly once, nothing half-loaded.</summary>
[Collection(ServersCollection.Name)]
public sealed class FaultTests(SftpServer sftp, PostgresServer postgres)
{
    private const int Rows = 400_000;
    private static readonly DateTimeOffset T = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);
    private readonly string connection = "f" + Guid.NewGuid().ToString("N")[..10];

    private string Schema => "responsys_" + connection;

    private ExportDirectory LargeExport()
    {
        var exports = sftp.CreateExportDirectory();
        var csv = new StringBuilder("ID,EMAIL,NOTE\n");
        for (var i = 1; i <= Rows; i++) csv.Append(i).Append(",user").Append(i).Append("@example.com,\"note, ").Append(i).Append("\"\n");
        exports.Write("20180911_BIG_LIST.csv", csv.ToString(), T);
        exports.WriteReady("20180911_BIG_LIST.csv", Rows.ToString(), T);
        return exports;
    }

    private string WriteConfig(ExportDirectory exports)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("rsx-fault-").FullName, "connection.json");
        File.WriteAllText(path, new JsonObject
        {
            ["host"] = sftp.Host, ["port"] = sftp.Port, ["username"] = sftp.User, ["path"] = exports.Path,
            ["private_key_file"] = sftp.KeyPath("ed25519"), ["start_date"] = "2018-01-01T00:00:00Z", ["connection_id"] = connection,
        }.ToJsonString());
        return path;
    }

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>Waits until this test's own COPY runs (other tests may be copying into the same server).</summary>
    private async Task WaitForCopyAsync(string connectionString, Func<bool> gaveUp)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !gaveUp())
        {
            if (await CountAsync(connectionString, $"SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY \"{Schema}\".%'") > 0) return;
            await Task.Delay(20);
        }
        throw new TimeoutException("the load never reached its COPY");
    }

    private async Task AssertEveryRowOnceAsync(string connectionString)
    {
        Assert.Equal(Rows, await CountAsync(connectionString, $"SELECT count(*) FROM {Schema}.big_list"));
        Assert.Equal(Rows, await CountAsync(connectionString, $"SELECT count(DISTINCT id) FROM {Schema}.big_list"));
        Assert.Equal(1, await CountAsync(connectionString, $"SELECT count(*) FROM responsys_cluster.file_ledger WHERE connection_id = '{connection}'"));
    }

    [Fact]
    public async Task Should_load_every_row_exactly_once_after_the_process_is_killed_mid_file()
    {
        var config = WriteConfig(LargeExport());
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "responsys-cluster.dll"), "sync", "--config", config, "--postgres", postgres.ConnectionString })
            start.ArgumentList.Add(argument);
        using (var process = Process.Start(start)!)
        {
            await WaitForCopyAsync(postgres.ConnectionString, () => process.HasExited);
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        Assert.Equal(0, await CountAsync(postgres.ConnectionString, $"SELECT count(*) FROM responsys_cluster.file_ledger WHERE connection_id = '{connection}'"));

        var output = new StringWriter();
        var exitCode = await new SyncCommand(NullLoggerFactory.Instance).RunAsync(new SyncArguments(config, postgres.ConnectionString, null), output, CancellationToken.None);
        Assert.True(exitCode == 0, output.ToString());
        await AssertEveryRowOnceAsync(postgres.ConnectionString);
    }

    [Fact]
    public async Task Should_fail_the_file_when_postgres_restarts_mid_load_and_load_it_whole_next_run()
    {
        var directory = Directory.CreateTempSubdirectory("rsx-pg-restart-").FullName;
        var started = await ProcessRunner.RunCheckedAsync("bash", [RepositoryRoot.Combine("deploy", "local", "postgres.sh"), "start", directory, "--test"]);
        var env = EnvFile.Read(started.LastOutputLine);
        var connectionString = env["RSX_POSTGRES"];
        try
        {
            var config = WriteConfig(LargeExport());
            var sync = new SyncCommand(NullLoggerFactory.Instance);
            var output = new StringWriter();
            var first = sync.RunAsync(new SyncArguments(config, connectionString, null), output, CancellationToken.None);
            await WaitForCopyAsync(connectionString, () => first.IsCompleted);
            await ProcessRunner.RunCheckedAsync("runuser", ["-u", "postgres", "--", "/usr/lib/postgresql/15/bin/pg_ctl", "-D", Path.Combine(directory, "data"),
                "-l", Path.Combine(directory, "pg.log"), "-m", "immediate", "-w", "restart"]);
            Assert.Equal(1, await first);
            Assert.Contains("BIG_LIST.csv", output.ToString());

            var second = new StringWriter();
            Assert.True(await sync.RunAsync(new SyncArguments(config, connectionString, null), second, CancellationToken.None) == 0, second.ToString());
            await AssertEveryRowOnceAsync(connectionString);
        }
        finally
        {
            await ProcessRunner.RunAsync("bash", [RepositoryRoot.Combine("deploy", "local", "postgres.sh"), "stop", directory]);
        }
    }

    [Fact]
    public async Task Should_stop_the_node_cleanly_on_sigterm()
    {
        var config = WriteConfig(LargeExport());
        var json = JsonNode.Parse(File.ReadAllText(config))!;
        json["schedule"] = new JsonObject { ["every"] = "1h" };
        File.WriteAllText(config, json.ToJsonString());
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "responsys-cluster.dll"), "node", "--config", config, "--postgres", postgres.ConnectionString })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        try
        {
            var stderr = process.StandardError.ReadToEndAsync();
            await WaitForCopyAsync(postgres.ConnectionString, () => process.HasExited);

            await ProcessRunner.RunCheckedAsync("kill", ["-TERM", process.Id.ToString()]);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(deadline.Token);
            Assert.True(process.ExitCode == 0, await stderr);
        }
        finally
        {
            // A node that did not stop must not outlive the test.
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        // The file in flight either committed whole or left nothing behind.
        var ledger = await CountAsync(postgres.ConnectionString, $"SELECT count(*) FROM responsys_cluster.file_ledger WHERE connection_id = '{connection}'");
        var rows = await CountAsync(postgres.ConnectionString,
            $"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{Schema}' AND table_name = 'big_list'") == 0
            ? 0 : await CountAsync(postgres.ConnectionString, $"SELECT count(*) FROM {Schema}.big_list");
        Assert.Equal(ledger == 1 ? Rows : 0, rows);
    }
}
