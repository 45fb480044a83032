using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using ResponsysCluster.Node.Commands;
using ResponsysCluster.Node.Hosting;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Engine.Tests;

/// <summary>The <c>sync</c> command end to end: real sshd, real PostgreSQL, the actor engine with its journal.</summary>
[Collection(ServersCollection.Name)]
public sealed class SyncCommandTests(SftpServer sftp, PostgresServer postgres)
{
    private static readonly DateTimeOffset T = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);
    private readonly string connection = "c" + Guid.NewGuid().ToString("N")[..10];

    private string Schema => "responsys_" + connection;

    private string WriteConfig(ExportDirectory exports, int readyTimeoutHours = 1_000_000, JsonObject? columns = null)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("rsx-sync-").FullName, "connection.json");
        var config = new JsonObject
        {
            ["host"] = sftp.Host, ["port"] = sftp.Port, ["username"] = sftp.User, ["path"] = exports.Path,
            ["private_key_file"] = sftp.KeyPath("ed25519"), ["start_date"] = "2018-01-01T00:00:00Z",
            ["connection_id"] = connection,
            // By default these 2018 files wait for their ready file rather than being abandoned.
            ["ready_timeout"] = readyTimeoutHours,
        };
        if (columns is not null) config["columns"] = columns;
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    private async Task<(int ExitCode, string Report)> SyncAsync(string config, IReadOnlyList<string>? tables = null)
    {
        var output = new StringWriter();
        var exitCode = await new SyncCommand(NullLoggerFactory.Instance)
            .RunAsync(new SyncArguments(config, postgres.ConnectionString, tables), output, CancellationToken.None);
        return (exitCode, output.ToString());
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(postgres.ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    private const int TestTimeout = 180_000;

    /// <summary>The run id a report names on its first line.</summary>
    private static Guid RunIdOf(string report) => Guid.Parse(report.Split(' ')[1]);

    private async Task<string> LogOfAsync(Guid runId)
    {
        var log = new StringWriter();
        Assert.Equal(0, await new LogCommand(NullLoggerFactory.Instance).RunAsync(runId, postgres.ConnectionString, log, CancellationToken.None));
        return log.ToString();
    }

    /// <summary>Every row once: as many rows as expected, and as many distinct (file, record) pairs as rows.</summary>
    private async Task AssertRowsOnceAsync(string table, long expected)
    {
        Assert.Equal(expected, await CountAsync($"SELECT count(*) FROM {Schema}.{table}"));
        Assert.Equal(expected, await CountAsync($"SELECT count(DISTINCT (_sdc_source_file, _sdc_source_lineno)) FROM {Schema}.{table}"));
    }

    private static string Rows(int first, int count) =>
        "ID,EMAIL,CREATED\n" + string.Concat(Enumerable.Range(first, count).Select(i => $"{i},user{i}@example.com,2018-09-11 09:00:{i % 60:00}\n"));

    private ExportDirectory ContactsAndClicks()
    {
        var exports = sftp.CreateExportDirectory();
        exports.Write("20180911_CONTACT_LIST.csv", Rows(1, 500), T);
        exports.WriteReady("20180911_CONTACT_LIST.csv", "500", T);
        exports.Write("20180912_CONTACT_LIST.csv", Rows(501, 250), T.AddDays(1));
        exports.WriteReady("20180912_CONTACT_LIST.csv", "250", T.AddDays(1));
        exports.Write("1234_CLICK_20180911_010203.txt", Rows(1, 10), T);
        exports.WriteReady("1234_CLICK_20180911_010203.txt", "", T);
        return exports;
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_load_every_row_once_and_nothing_the_second_time()
    {
        var exports = ContactsAndClicks();
        var config = WriteConfig(exports);

        var first = await SyncAsync(config);
        Assert.True(first.ExitCode == 0, first.Report);
        await AssertRowsOnceAsync("contact_list", 750);
        await AssertRowsOnceAsync("_1234_click", 10);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM information_schema.columns WHERE table_schema = '{Schema}' AND table_name = 'contact_list' AND column_name = 'id' AND data_type = 'bigint'"));
        Assert.Matches(@"CONTACT_LIST\s+2\s+0\s+0\s+0\s+0\s+750\s", first.Report);
        var firstRun = RunIdOf(first.Report);
        var log = await LogOfAsync(firstRun);
        foreach (var step in new[] { "connect", "list", "tables", "files pending", "file started", "file finished" })
            Assert.Contains(step, log);
        Assert.Equal(750, await CountAsync($"SELECT rows_loaded FROM responsys_cluster.load_reports WHERE run_id = '{firstRun}' AND responsys_table = 'CONTACT_LIST'"));

        // A new actor system recovers the bookmarks from the journal: no file is even pending, so none reaches the
        // ledger check (a file skipped as already loaded would mean the bookmark was lost).
        var second = await SyncAsync(config);
        Assert.True(second.ExitCode == 0, second.Report);
        Assert.Matches(@"CONTACT_LIST\s+0\s+0\s+0\s+0\s+0\s+0\s", second.Report);
        Assert.Matches(@"1234_CLICK\s+0\s+0\s+0\s+0\s+0\s+0\s", second.Report);
        var secondRun = RunIdOf(second.Report);
        Assert.Equal(2, await CountAsync($"SELECT count(*) FROM responsys_cluster.load_reports WHERE run_id = '{secondRun}' AND files_loaded = 0 AND files_skipped = 0 AND rows_loaded = 0"));
        Assert.Equal(2, await CountAsync($"SELECT count(*) FROM responsys_cluster.extraction_log WHERE run_id = '{secondRun}' AND step = 'files pending' AND message LIKE '0 files pending,%'"));
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM responsys_cluster.extraction_log WHERE run_id = '{secondRun}' AND step IN ('file started', 'file finished')"));
        var secondLog = await LogOfAsync(secondRun);
        Assert.Contains("CONTACT_LIST", secondLog);
        Assert.Contains("0 files pending", secondLog);
        await AssertRowsOnceAsync("contact_list", 750);
        Assert.Equal(3, await CountAsync($"SELECT count(*) FROM responsys_cluster.file_ledger WHERE connection_id = '{connection}'"));

        // Touching a file reloads exactly its rows, replacing the old ones.
        exports.SetModified("20180911_CONTACT_LIST.csv", T.AddDays(2));
        var third = await SyncAsync(config);
        Assert.True(third.ExitCode == 0, third.Report);
        Assert.Matches(@"CONTACT_LIST\s+1\s+0\s+0\s+0\s+0\s+500\s+500\s", third.Report);
        await AssertRowsOnceAsync("contact_list", 750);
        Assert.Equal(500, await CountAsync($"SELECT rows_replaced FROM responsys_cluster.file_ledger WHERE connection_id = '{connection}' AND modified = '2018-09-13T09:00:00Z'"));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_skip_files_already_in_the_ledger_when_the_bookmarks_are_lost()
    {
        var config = WriteConfig(ContactsAndClicks());
        var first = await SyncAsync(config);
        Assert.True(first.ExitCode == 0, first.Report);

        // Wipe this connection's bookmarks (events and snapshots) from the journal: every file is pending again.
        var wiped = await CountAsync($"""
            WITH events AS (DELETE FROM responsys_cluster_journal.journal WHERE persistence_id LIKE 'bookmark|{connection}|%' RETURNING 1),
                 snapshots AS (DELETE FROM responsys_cluster_journal.snapshot WHERE persistence_id LIKE 'bookmark|{connection}|%' RETURNING 1)
            SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM snapshots)
            """);
        Assert.True(wiped >= 3, $"{wiped} journal rows wiped");

        var second = await SyncAsync(config);
        Assert.True(second.ExitCode == 0, second.Report);
        // The ledger alone keeps them from loading twice: each is reported as already loaded.
        Assert.Matches(@"CONTACT_LIST\s+0\s+2\s+0\s+0\s+0\s+0\s", second.Report);
        Assert.Matches(@"1234_CLICK\s+0\s+1\s+0\s+0\s+0\s+0\s", second.Report);
        var secondRun = RunIdOf(second.Report);
        Assert.Equal(3, await CountAsync($"SELECT sum(files_skipped) FROM responsys_cluster.load_reports WHERE run_id = '{secondRun}'"));
        Assert.Equal(3, await CountAsync($"SELECT count(*) FROM responsys_cluster.extraction_log WHERE run_id = '{secondRun}' AND step = 'file finished' AND message LIKE 'already loaded%'"));
        await AssertRowsOnceAsync("contact_list", 750);
        await AssertRowsOnceAsync("_1234_click", 10);
        Assert.Equal(3, await CountAsync($"SELECT count(*) FROM responsys_cluster.file_ledger WHERE connection_id = '{connection}'"));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_say_in_the_extraction_log_which_record_count_the_ready_file_matched()
    {
        var exports = sftp.CreateExportDirectory();
        exports.Write("LIST_20180911_01.csv", Rows(1, 5), T);
        exports.WriteReady("LIST_20180911_01.csv", "5", T);
        exports.Write("LIST_20180911_02.csv", Rows(10, 5), T.AddMinutes(1));
        exports.WriteReady("LIST_20180911_02.csv", "6", T.AddMinutes(1));
        exports.Write("LIST_20180911_03.csv", Rows(20, 5), T.AddMinutes(2));
        exports.WriteReady("LIST_20180911_03.csv", "", T.AddMinutes(2));
        var run = await SyncAsync(WriteConfig(exports));
        Assert.True(run.ExitCode == 0, run.Report);

        async Task<string> FinishedMessageAsync(string file)
        {
            await using var dataSource = NpgsqlDataSource.Create(postgres.ConnectionString);
            await using var command = dataSource.CreateCommand(
                $"SELECT message FROM responsys_cluster.extraction_log WHERE connection_id = '{connection}' AND step = 'file finished' AND path LIKE '%/{file}'");
            return (string)(await command.ExecuteScalarAsync())!;
        }
        Assert.EndsWith("the ready file's count 5 matches the records without the header row", await FinishedMessageAsync("LIST_20180911_01.csv"));
        Assert.EndsWith("the ready file's count 6 matches the records with the header row", await FinishedMessageAsync("LIST_20180911_02.csv"));
        Assert.EndsWith("the ready file carries no record count", await FinishedMessageAsync("LIST_20180911_03.csv"));
        Assert.StartsWith("5 rows loaded, 0 replaced in ", await FinishedMessageAsync("LIST_20180911_02.csv"));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_fail_a_bad_file_without_partial_rows_and_load_it_once_fixed()
    {
        // Large files (about 4 MB, many SFTP reads and COPY buffers) whose fault shows only near the end.
        const int Big = 80_000;
        var exports = sftp.CreateExportDirectory();
        exports.Write("LIST_20180911_01.csv", Rows(1, Big), T.AddMinutes(1));
        exports.WriteReady("LIST_20180911_01.csv", (Big + 2).ToString(), T.AddMinutes(1));
        exports.Write("LIST_20180911_02.csv", Rows(10, 2), T.AddMinutes(2));
        exports.WriteReady("LIST_20180911_02.csv", "2", T.AddMinutes(2));
        exports.Write("LIST_20180911_03.csv", Rows(20, 4), T.AddMinutes(3));
        exports.Write("LIST_20180911_04.csv", Rows(1_000_000, Big) + "31,\"unclosed,x\n", T.AddMinutes(4));
        exports.WriteReady("LIST_20180911_04.csv", "", T.AddMinutes(4));
        var config = WriteConfig(exports);

        var first = await SyncAsync(config);
        Assert.Equal(1, first.ExitCode);
        Assert.Matches(@"LIST\s+1\s+0\s+2\s+1\s", first.Report); // 1 loaded, 2 failed, 1 waiting for its ready file
        Assert.Contains($"LIST_20180911_04.csv: line {Big + 2}: malformed CSV", first.Report);
        Assert.Contains($"LIST_20180911_01.csv: record count mismatch: the ready file LIST_20180911_01.ready says {Big + 2}, the file holds {Big} records", first.Report);
        await AssertRowsOnceAsync("list", 2);
        Assert.Equal(2, await CountAsync($"SELECT count(*) FROM {Schema}.list WHERE _sdc_source_file LIKE '%LIST_20180911_02.csv'"));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM responsys_cluster.extraction_log WHERE connection_id = '{connection}' AND step = 'file failed' AND path LIKE '%LIST_20180911_01.csv' AND message LIKE '%says {Big + 2}%'"));

        exports.WriteReady("LIST_20180911_01.csv", (Big + 1).ToString(), T.AddMinutes(1));
        exports.WriteReady("LIST_20180911_03.csv", "4", T.AddMinutes(3));
        exports.Write("LIST_20180911_04.csv", Rows(1_000_000, Big) + "31,\"closed\",x\n", T.AddMinutes(5));
        var second = await SyncAsync(config);
        Assert.True(second.ExitCode == 0, second.Report);
        await AssertRowsOnceAsync("list", Big + 2 + 4 + Big + 1);
        Assert.Equal(Big, await CountAsync($"SELECT count(*) FROM {Schema}.list WHERE _sdc_source_file LIKE '%LIST_20180911_01.csv'"));
        Assert.Equal(Big + 1, await CountAsync($"SELECT count(*) FROM {Schema}.list WHERE _sdc_source_file LIKE '%LIST_20180911_04.csv'"));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_fail_an_empty_data_file_whose_ready_file_promises_records_and_report_an_empty_one_as_skipped()
    {
        var exports = sftp.CreateExportDirectory();
        exports.Write("LIST_20180911_01.csv", Rows(1, 3), T);
        exports.WriteReady("LIST_20180911_01.csv", "3", T);
        exports.Write("LIST_20180911_02.csv", "", T.AddMinutes(1));
        exports.WriteReady("LIST_20180911_02.csv", "7", T.AddMinutes(1));
        exports.Write("LIST_20180911_03.csv", "", T.AddMinutes(2));
        exports.WriteReady("LIST_20180911_03.csv", "", T.AddMinutes(2));
        // A table whose only file is a truncated one is still a table: its count is checked too.
        exports.Write("CLICK_20180911.csv", "", T);
        exports.WriteReady("CLICK_20180911.csv", "12", T);
        var config = WriteConfig(exports);

        var first = await SyncAsync(config);
        Assert.Equal(1, first.ExitCode);
        Assert.Matches(@"LIST\s+1\s+1\s+1\s+0\s+0\s+3\s", first.Report); // 1 loaded, 1 skipped (empty), 1 failed
        Assert.Matches(@"CLICK\s+0\s+0\s+1\s", first.Report);
        Assert.Contains($"{exports.PathOf("LIST_20180911_02.csv")}: record count mismatch: the ready file LIST_20180911_02.ready says 7, the file is empty (0 bytes; the export is incomplete or was truncated)", first.Report);
        Assert.Contains($"{exports.PathOf("CLICK_20180911.csv")}: record count mismatch: the ready file CLICK_20180911.ready says 12, the file is empty (0 bytes; the export is incomplete or was truncated)", first.Report);
        var runId = RunIdOf(first.Report);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM responsys_cluster.extraction_log WHERE run_id = '{runId}' AND step = 'file skipped' AND path LIKE '%LIST_20180911_03.csv' AND message LIKE 'empty data file (0 bytes)%'"));
        Assert.Equal(1, await CountAsync($"SELECT files_skipped FROM responsys_cluster.load_reports WHERE run_id = '{runId}' AND responsys_table = 'LIST'"));
        await AssertRowsOnceAsync("list", 3);

        // The skipped file is done: the next run does not report it again; the truncated one fails again.
        var second = await SyncAsync(config);
        Assert.Equal(1, second.ExitCode);
        Assert.Matches(@"LIST\s+0\s+0\s+1\s", second.Report);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_sync_only_the_tables_asked_for_and_log_each_step()
    {
        var exports = sftp.CreateExportDirectory();
        exports.Write("LIST_20180911_01.csv", Rows(1, 3), T);
        exports.WriteReady("LIST_20180911_01.csv", "3", T);
        exports.Write("LIST_20180911_02.csv", Rows(10, 2), T.AddMinutes(1)); // no ready file since 2018: abandoned
        exports.Write("LIST_20180911_03.csv", Rows(20, 2), DateTimeOffset.UtcNow.AddMinutes(-5)); // no ready file yet: waiting
        exports.Write("CLICK_20180911.csv", Rows(1, 4), T);
        exports.WriteReady("CLICK_20180911.csv", "4", T);

        var run = await SyncAsync(WriteConfig(exports, readyTimeoutHours: 24), ["LIST", "NOPE"]);
        Assert.Equal(1, run.ExitCode);
        Assert.Matches(@"LIST\s+1\s+0\s+0\s+1\s+1\s+3\s", run.Report);
        Assert.DoesNotMatch(@"(?m)^CLICK\s", run.Report);
        Assert.Contains($"error: table NOPE has no ready file in {exports.Path}", run.Report);
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{Schema}' AND table_name = 'click'"));
        await AssertRowsOnceAsync("list", 3);
        var runId = RunIdOf(run.Report);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM responsys_cluster.load_reports WHERE run_id = '{runId}' AND responsys_table = 'LIST' AND files_loaded = 1 AND files_waiting = 1 AND files_abandoned = 1 AND rows_loaded = 3"));

        var log = (await LogOfAsync(runId)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal($"connect connected to {sftp.Host}:{sftp.Port} as {sftp.User}", Squeeze(log[0]));
        Assert.Equal($"list 6 files in {exports.Path}", Squeeze(log[1]));
        Assert.Equal("tables tables found: CLICK, LIST", Squeeze(log[2]));
        Assert.Equal("files pending LIST 1 files pending, 1 waiting for their ready file, 1 abandoned", Squeeze(log[3]));
        Assert.Equal($"file waiting LIST {exports.PathOf("LIST_20180911_03.csv")} no ready file yet; left for a later run", Squeeze(log[4]));
        Assert.Equal($"file abandoned LIST {exports.PathOf("LIST_20180911_02.csv")} no ready file within 1.00:00:00 of its mtime", Squeeze(log[5]));
        Assert.StartsWith($"file started LIST {exports.PathOf("LIST_20180911_01.csv")} {Rows(1, 3).Length} bytes, modified 2018-09-11T09:00:00", Squeeze(log[6]));
        Assert.StartsWith($"file finished LIST {exports.PathOf("LIST_20180911_01.csv")} 3 rows loaded, 0 replaced in ", Squeeze(log[7]));
        Assert.Equal(8, log.Length);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_load_a_feed_of_small_files_in_batches_failing_a_bad_file_alone()
    {
        var exports = sftp.CreateExportDirectory();
        for (var i = 1; i <= 20; i++)
        {
            var name = $"LIST_20180911_{i:00}.csv";
            exports.Write(name, Rows(i * 100, 3), T.AddMinutes(i));
            exports.WriteReady(name, i == 7 ? "9" : "3", T.AddMinutes(i));
        }

        var run = await SyncAsync(WriteConfig(exports));

        Assert.Equal(1, run.ExitCode);
        Assert.Matches(@"LIST\s+19\s+0\s+1\s", run.Report); // 19 loaded, 1 failed
        await AssertRowsOnceAsync("list", 19 * 3);
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM {Schema}.list WHERE _sdc_source_file LIKE '%LIST_20180911_07.csv'"));
        var log = await LogOfAsync(RunIdOf(run.Report));
        Assert.Matches(@"in a batch of \d+ files", log);
        Assert.Contains("LIST_20180911_07.csv: record count mismatch", log);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_load_only_the_columns_the_columns_key_selects_and_every_column_of_the_other_tables()
    {
        var exports = sftp.CreateExportDirectory();
        exports.Write("LIST_20180911.csv", "RIID_,EMAIL_ADDRESS_,PHONE\n1,a@x.com,555\n2,b@x.com,556\n", T);
        exports.WriteReady("LIST_20180911.csv", "2", T);
        exports.Write("CLICK_20180911.csv", "RIID_,URL\n1,http://x\n", T);
        exports.WriteReady("CLICK_20180911.csv", "1", T);

        var run = await SyncAsync(WriteConfig(exports, columns: new JsonObject { ["LIST"] = new JsonArray("RIID_", "EMAIL_ADDRESS_") }));

        Assert.Equal(0, run.ExitCode);
        const string userColumns = "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns " +
            "WHERE table_schema = '{0}' AND table_name = '{1}' AND column_name NOT LIKE '\\_sdc\\_%'";
        await using var dataSource = NpgsqlDataSource.Create(postgres.ConnectionString);
        await using var list = dataSource.CreateCommand(string.Format(userColumns, Schema, "list"));
        await using var click = dataSource.CreateCommand(string.Format(userColumns, Schema, "click"));
        Assert.Equal("riid_,email_address_", await list.ExecuteScalarAsync());
        Assert.Equal("riid_,url", await click.ExecuteScalarAsync());
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM {Schema}.list WHERE _sdc_extra IS NOT NULL OR email_address_ IS NULL"));
        await AssertRowsOnceAsync("list", 2);
    }

    /// <summary>The log command pads its columns; one space between words is enough to compare.</summary>
    private static string Squeeze(string line) => string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    [Fact(Timeout = TestTimeout)]
    public async Task Should_replicate_on_schedule_until_stopped()
    {
        var exports = sftp.CreateExportDirectory();
        exports.Write("LIST_20180911.csv", Rows(1, 5), T);
        exports.WriteReady("LIST_20180911.csv", "5", T);
        var config = WriteConfig(exports);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(config))!;
        json["schedule"] = new JsonObject { ["every"] = "1h" };
        File.WriteAllText(config, json.ToJsonString());

        using var stop = new CancellationTokenSource();
        var node = new NodeCommand(NullLoggerFactory.Instance).RunAsync(new NodeArguments(config, postgres.ConnectionString,
            new NodeFlags(Port: "0", Http: "127.0.0.1:0")), stop.Token);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        long rows = 0;
        while (DateTime.UtcNow < deadline && !node.IsCompleted)
        {
            // On a fresh database the node creates the control tables after this loop starts.
            rows = await CountAsync("SELECT count(*) FROM pg_tables WHERE schemaname = 'responsys_cluster' AND tablename = 'file_ledger'") > 0
                && await CountAsync($"SELECT count(*) FROM responsys_cluster.file_ledger WHERE connection_id = '{connection}'") > 0
                ? await CountAsync($"SELECT count(*) FROM {Schema}.list") : 0;
            if (rows == 5) break;
            await Task.Delay(250);
        }
        stop.Cancel();
        Assert.Equal(0, await node);
        Assert.Equal(5, rows);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_report_a_refused_login_and_exit_with_code_2()
    {
        var exports = sftp.CreateExportDirectory();
        var config = WriteConfig(exports);
        File.WriteAllText(config, File.ReadAllText(config).Replace(sftp.KeyPath("ed25519"), sftp.KeyPath("unauthorized")));
        var (exitCode, report) = await SyncAsync(config);
        Assert.Equal(2, exitCode);
        Assert.Contains("error: Message from SFTP server: Authentication failed.", report);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM responsys_cluster.extraction_log WHERE connection_id = '{connection}' AND step = 'run failed'"));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_fail_with_a_clear_error_without_a_database()
    {
        var config = WriteConfig(sftp.CreateExportDirectory());
        // The variable is removed for the child process alone: tests running beside this one keep theirs.
        await using var process = EngineProcess.Start(["sync", "--config", config],
            new Dictionary<string, string?> { [SyncCommand.PostgresVariable] = null });
        var (exitCode, stdout, stderr) = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(2, exitCode);
        Assert.Contains($"give --postgres CONNECTION_STRING or set {SyncCommand.PostgresVariable}", stderr);
        Assert.Equal("", stdout);
    }
}
