using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Npgsql;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// What a user sees when <c>sync</c> cannot start or its run fails at once: the executable as a child process, so
/// that stdout, stderr and the exit code are exactly what a shell gets. Exit code 2 is for configuration and
/// connection problems; stdout holds only the report.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class CommandErrorTests(SftpServer sftp, PostgresServer postgres)
{
    private const int TestTimeout = 180_000;
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(90);

    private string WriteConfig(Action<JsonObject>? change = null)
    {
        var exports = sftp.CreateExportDirectory();
        var config = new JsonObject
        {
            ["host"] = sftp.Host, ["port"] = sftp.Port, ["username"] = sftp.User, ["path"] = exports.Path,
            ["private_key_file"] = sftp.KeyPath("ed25519"), ["start_date"] = "2018-01-01T00:00:00Z",
            ["connection_id"] = "c" + Guid.NewGuid().ToString("N")[..10],
        };
        change?.Invoke(config);
        var path = Path.Combine(Directory.CreateTempSubdirectory("rsx-errors-").FullName, "connection.json");
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> SyncAsync(string config, string postgresConnection)
    {
        await using var process = EngineProcess.Start(["sync", "--config", config, "--postgres", postgresConnection]);
        return await process.WaitForExitAsync(ExitTimeout);
    }

    /// <summary>No stack trace, no "Unhandled exception": stderr holds log lines only, the last one the error.</summary>
    private static void AssertNoStackTrace(string stderr)
    {
        Assert.DoesNotContain("Unhandled exception", stderr);
        Assert.DoesNotMatch(@"(?m)^\s+at \S+\(", stderr);
        Assert.DoesNotContain("Exception:", stderr);
    }

    private static string ErrorLine(string stderr) =>
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("fail:") || l.Contains("crit:"));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_database_that_does_not_answer_is_one_line_naming_host_and_port_and_exit_code_2()
    {
        var port = FreePort();
        var (exitCode, stdout, stderr) = await SyncAsync(WriteConfig(),
            $"Host=127.0.0.1;Port={port};Username=postgres;Password=secret-password;Database=rsx;Timeout=5");
        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        AssertNoStackTrace(stderr);
        var line = ErrorLine(stderr);
        Assert.Contains($"PostgreSQL at 127.0.0.1:{port}", line);
        Assert.Contains("database rsx", line);
        Assert.DoesNotContain("secret-password", stderr);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task An_unknown_database_is_one_line_with_the_servers_message_and_exit_code_2()
    {
        var builder = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Database = "rsx_no_such_database" };
        var (exitCode, stdout, stderr) = await SyncAsync(WriteConfig(), builder.ConnectionString);
        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        AssertNoStackTrace(stderr);
        var line = ErrorLine(stderr);
        Assert.Contains($"PostgreSQL at {builder.Host}:{builder.Port}", line);
        Assert.Contains("database rsx_no_such_database", line);
        Assert.Contains("\"rsx_no_such_database\" does not exist", line);
        Assert.DoesNotContain(builder.Password!, stderr);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_malformed_connection_string_is_one_line_naming_the_option_and_exit_code_2()
    {
        var (exitCode, stdout, stderr) = await SyncAsync(WriteConfig(), "Host=127.0.0.1;Password=hunter2;Colour=blue");
        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        AssertNoStackTrace(stderr);
        var line = ErrorLine(stderr);
        Assert.Contains("--postgres", line);
        Assert.Contains("colour", line, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("hunter2", stderr);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_config_problem_exits_with_code_2()
    {
        var config = WriteConfig(c => c.Remove("username"));
        var (exitCode, stdout, stderr) = await SyncAsync(config, postgres.ConnectionString);
        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.Contains("username", ErrorLine(stderr));
    }

    /// <summary>
    /// Runs that fail at once (a refused key, a refused host key) stop the actor system while its journal may still
    /// be starting: whatever Akka logs then goes to stderr, and stdout is the report alone. Several runs each, since
    /// the journal's timing varies.
    /// </summary>
    [Theory(Timeout = TestTimeout)]
    [InlineData("wrong key")]
    [InlineData("wrong fingerprint")]
    [InlineData("unknown host")]
    public async Task A_run_that_fails_at_connect_prints_only_the_report_on_stdout_and_exits_with_code_2(string fault)
    {
        var config = WriteConfig(c =>
        {
            if (fault == "wrong key") c["private_key_file"] = sftp.KeyPath("unauthorized");
            else if (fault == "unknown host") c["host"] = "no-such-host.invalid";
            else c["host_key_fingerprint"] = "SHA256:" + Convert.ToBase64String(new byte[32]).TrimEnd('=');
        });
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var (exitCode, stdout, stderr) = await SyncAsync(config, postgres.ConnectionString);
            Assert.True(exitCode == 2, $"exit {exitCode}\n{stdout}\n{stderr}");
            var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Matches(@"^Run [0-9a-f-]{36} of connection c[0-9a-f]{10}: ", lines[0]);
            Assert.StartsWith("table ", lines[1]);
            Assert.All(lines[2..], l => Assert.StartsWith("error: ", l));
            Assert.NotEmpty(lines[2..]);
            if (fault == "unknown host") Assert.Contains("error: Could not connect to SFTP no-such-host.invalid:", stdout);
            AssertNoStackTrace(stdout);
        }
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Akkas_own_log_stays_at_warning_level_unless_asked_for_more()
    {
        var config = WriteConfig();
        var (exitCode, _, stderr) = await SyncAsync(config, postgres.ConnectionString);
        Assert.True(exitCode == 0, stderr);
        // Akka's info lines (a run finished, coordinated shutdown) appear only when asked for.
        Assert.DoesNotContain("info: Akka.", stderr);
        Assert.DoesNotContain("[INFO]", stderr);

        await using var verbose = EngineProcess.Start(["sync", "--config", config, "--postgres", postgres.ConnectionString],
            new Dictionary<string, string?> { ["RSX_AKKA_LOG_LEVEL"] = "INFO" });
        var (verboseExit, _, verboseErr) = await verbose.WaitForExitAsync(ExitTimeout);
        Assert.True(verboseExit == 0, verboseErr);
        Assert.Contains("CoordinatedShutdown invoked", verboseErr);
    }
}
