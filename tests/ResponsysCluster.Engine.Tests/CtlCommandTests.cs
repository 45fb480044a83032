using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ResponsysCluster.Node.Ctl;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// <c>responsys-cluster ctl</c>'s table, schedule and run commands against a real node process (its own database,
/// the real sshd): what each prints on a terminal and with <c>--json</c>, and its exit code.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class CtlCommandTests(SftpServer sftp, PostgresServer postgres) : IAsyncLifetime
{
    private const int TestTimeout = 240_000;
    private const string Token = "ctl-test-token";
    private static readonly DateTimeOffset At = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);

    private ClusterDatabase database = null!;
    private ApiNode api = null!;

    public async Task InitializeAsync()
    {
        database = await ClusterDatabase.CreateAsync(postgres.ConnectionString);
        api = await ApiNode.StartAsync(database.ConnectionString, "ctl", Token);
    }

    public async Task DisposeAsync()
    {
        await api.DisposeAsync();
        await database.DisposeAsync();
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> CtlAsync(params string[] arguments)
    {
        await using var ctl = EngineProcess.Start(["ctl", "--url", api.Url, .. arguments], new Dictionary<string, string?> { ["RSX_API_TOKEN"] = Token });
        return await ctl.WaitForExitAsync(TimeSpan.FromSeconds(90));
    }

    private string WriteConfig(string path, string id)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("rsx-ctl-").FullName, id + ".json");
        File.WriteAllText(file, new JsonObject
        {
            ["connection_id"] = id, ["host"] = sftp.Host, ["port"] = sftp.Port, ["username"] = sftp.User, ["path"] = path,
            ["private_key_file"] = sftp.KeyPath("ed25519"), ["start_date"] = "2018-01-01T00:00:00Z",
        }.ToJsonString());
        return file;
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_test_select_schedule_sync_with_wait_report_log_and_reset_a_connection_through_ctl()
    {
        var exports = sftp.CreateExportDirectory();
        exports.Write("CONTACT_20180911.csv", "RIID_,EMAIL_ADDRESS_\n1,a@x.io\n2,b@x.io\n3,c@x.io\n", At);
        exports.WriteReady("CONTACT_20180911.csv", "3", At);
        exports.Write("CLICK_20180911.csv", "RIID_\n7\n", At);
        exports.WriteReady("CLICK_20180911.csv", "1", At);
        var file = WriteConfig(exports.Path, "ctl_shop");

        var tested = await CtlAsync("connections", "test", file);
        Assert.Equal(0, (await CtlAsync("connections", "add", file)).ExitCode);
        var testedById = await CtlAsync("connections", "test", "ctl_shop", "--json");
        var selected = await CtlAsync("select", "ctl_shop", "CONTACT", "--columns", "RIID_");
        var unselected = await CtlAsync("unselect", "ctl_shop", "CLICK");
        var tables = await CtlAsync("tables", "ctl_shop");
        var synced = await CtlAsync("sync", "ctl_shop", "--wait");
        // After a run: an interval schedule of a connection that never ran would start one at once.
        var scheduled = await CtlAsync("schedule", "ctl_shop", "6h");
        var cron = await CtlAsync("schedule", "ctl_shop", "0 2 * * *", "--json");
        var unscheduled = await CtlAsync("schedule", "ctl_shop", "none");

        Assert.Equal(0, tested.ExitCode);
        Assert.Equal($"connection ctl_shop: ok\nhost key: {sftp.HostKeyFingerprint}\ntables: CLICK, CONTACT\n", tested.Stdout);
        Assert.True((bool)JsonNode.Parse(testedById.Stdout)!["ok"]!);
        Assert.Equal((0, "table CONTACT of connection ctl_shop selected (columns RIID_)\n"), (selected.ExitCode, selected.Stdout));
        Assert.Equal((0, "table CLICK of connection ctl_shop unselected\n"), (unselected.ExitCode, unselected.Stdout));
        Assert.Matches(@"^TABLE\s+SELECTED\s+COLUMNS\s+ON SERVER\s+FILES\s+ROWS\s+LAST LOADED\s+MODIFIED SINCE\nCLICK\s+1\s+yes\s+0\s+0\s+2018-01-01T00:00:00\+00:00\nCONTACT\s+yes\s+1 of 2\s+yes\s+0\s+0\s+2018-01-01", tables.Stdout);
        Assert.Equal("connection ctl_shop: schedule {\"every\":\"6h\"}\n", scheduled.Stdout);
        Assert.Equal("0 2 * * *", (string)JsonNode.Parse(cron.Stdout)!["config"]!["schedule"]!["cron"]!);
        Assert.Equal("connection ctl_shop: schedule on demand only\n", unscheduled.Stdout);

        Assert.True(synced.ExitCode == 0, $"sync --wait exited {synced.ExitCode}: {synced.Stdout}{synced.Stderr}");
        var runId = Regex.Match(synced.Stdout, @"^run (?<id>[0-9a-f-]{36}) of connection ctl_shop: succeeded \(node ctl, ").Groups["id"].Value;
        Assert.NotEmpty(runId);
        Assert.Matches(@"\nTABLE\s+LOADED\s+SKIPPED\s+FAILED\s+WAITING\s+ROWS\s+REPLACED\s+SECONDS\nCONTACT\s+1\s+0\s+0\s+0\s+3\s+0\s+\d", synced.Stdout);
        Assert.DoesNotContain("CLICK", synced.Stdout);
        Assert.StartsWith($"run {runId} of connection ctl_shop started\n", synced.Stderr);

        var runs = await CtlAsync("runs", "ctl_shop");
        var report = await CtlAsync("report", runId, "--json");
        var log = await CtlAsync("log", runId);
        var reset = await CtlAsync("reset", "ctl_shop", "CONTACT");
        var again = await CtlAsync("sync", "ctl_shop", "--wait", "--json");
        var unknownRun = await CtlAsync("report", Guid.NewGuid().ToString());
        var unknownTable = await CtlAsync("select", "ctl_shop", "NOPE");

        Assert.Matches($@"^RUN\s+STATUS\s+NODE\s+STARTED\s+ENDED\s+ERRORS\n{runId}\s+succeeded\s+ctl\s+\d{{4}}-", runs.Stdout);
        Assert.Equal(3L, (long)JsonNode.Parse(report.Stdout)!["tables"]![0]!["rows_loaded"]!);
        Assert.Equal(3L, (long)JsonNode.Parse(report.Stdout)!["progress"]!["rows_loaded"]!);
        Assert.Matches(@"^AT\s+NODE\s+STEP\s+TABLE\s+PATH\s+MESSAGE\n\S+\s+ctl\s+connect\s+", log.Stdout);
        Assert.Contains("file finished", log.Stdout);
        Assert.Equal((0, "table CONTACT of connection ctl_shop reset: emptied, 1 file versions forgotten; it reloads from 2018-01-01T00:00:00+00:00 at the next run\n"),
            (reset.ExitCode, reset.Stdout));
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(3L, (long)JsonNode.Parse(again.Stdout)!["tables"]![0]!["rows_loaded"]!);
        Assert.Equal(1, unknownRun.ExitCode);
        Assert.StartsWith("error: no run ", unknownRun.Stderr);
        Assert.Equal((1, "error: connection ctl_shop has no table NOPE (neither on the server nor loaded)"), (unknownTable.ExitCode, unknownTable.Stderr.Trim()));

        var paused = await CtlAsync("connections", "pause", "ctl_shop");
        var resumed = await CtlAsync("connections", "resume", "ctl_shop");
        var removed = await CtlAsync("connections", "remove", "ctl_shop");
        var gone = await CtlAsync("connections", "list", "--json");
        Assert.Equal(("connection ctl_shop paused\n", "connection ctl_shop resumed\n", "connection ctl_shop removed\n"), (paused.Stdout, resumed.Stdout, removed.Stdout));
        Assert.Empty(JsonNode.Parse(gone.Stdout)!.AsArray());
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_exit_1_with_the_error_and_print_nothing_when_a_connection_test_fails()
    {
        var exports = sftp.CreateExportDirectory();
        var config = JsonNode.Parse(File.ReadAllText(WriteConfig(exports.Path, "ctl_bad")))!.AsObject();
        config["private_key_file"] = sftp.KeyPath("unauthorized");
        var file = Path.Combine(Directory.CreateTempSubdirectory("rsx-ctl-").FullName, "bad.json");
        File.WriteAllText(file, config.ToJsonString());

        var failed = await CtlAsync("connections", "test", file);

        Assert.Equal(1, failed.ExitCode);
        Assert.Equal("", failed.Stdout);
        Assert.StartsWith("error: Message from SFTP server: Authentication failed.", failed.Stderr.Trim());
    }

    [Fact]
    public void Should_show_files_done_of_pending_failed_rows_and_rows_per_second_since_the_run_started()
    {
        var run = JsonNode.Parse("""
            {"run": {"started_at": "2026-01-01T00:00:00+00:00"},
             "progress": {"files_pending": 10, "files_done": 3, "files_failed": 1, "rows_loaded": 12000}}
            """)!;

        Assert.Equal("files 3/10, 1 failed, rows 12000, 3000 rows/s",
            CtlCommand.ProgressLine(run, new DateTimeOffset(2026, 1, 1, 0, 0, 4, TimeSpan.Zero)));
    }
}
