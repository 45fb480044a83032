using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using ResponsysCluster.Node.Commands;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Engine.Tests;

/// <summary>The <c>sync</c> command end to end: real sshd, real PostgreSQL, the actor engine with its journal.</summary>
[Collection(ServersCollection.Name)]
public sealed class SyncCommandTests(SftpServer sftp, PostgresServer postgres)
{
    private static readonly DateTimeOffset T = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);
    private readonly string connection = "c" + Guid.NewGuid().ToString("N")[..10];

    private string Schema => "responsys_" + connection;

    private string WriteConfig(ExportDirectory exports)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("rsx-sync-").FullName, "connection.json");
        File.WriteAllText(path, new JsonObject
        {
            ["host"] = sftp.Host, ["port"] = sftp.Port, ["username"] = sftp.User, ["path"] = exports.Path,
            ["private_key_file"] = sftp.KeyPath("ed25519"), ["start_date"] = "2018-01-01T00:00:00Z",
            ["connection_id"] = connection,
            ["ready_timeout"] = 1_000_000, // hours: these 2018 files wait for their ready file rather than being abandoned
        }.ToJsonString());
        return path;
    }

    private async Task<(int ExitCode, string Report)> SyncAsync(string config)
    {
        var output = new StringWriter();
        var exitCode = await new SyncCommand(NullLoggerFactory.Instance)
            .RunAsync(new SyncArguments(config, postgres.ConnectionString, null), output, CancellationToken.None);
        return (exitCode, output.ToString());
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(postgres.ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    private static string Rows(int first, int count) =>
        "ID,EMAIL,CREATED\n" + string.Concat(Enumerable.Range(first, count).Select(i => $"{i},user{i}@example.com,2018-09-11 09:00:{i % 60:00}\n"));

    [Fact]
    public async Task Should_load_every_row_once_and_nothing_the_second_time()
    {
        var exports = sftp.CreateExportDirectory();
        exports.Write("20180911_CONTACT_LIST.csv", Rows(1, 500), T);
        exports.WriteReady("20180911_CONTACT_LIST.csv", "500", T);
        exports.Write("20180912_CONTACT_LIST.csv", Rows(501, 250), T.AddDays(1));
        exports.WriteReady("20180912_CONTACT_LIST.csv", "250", T.AddDays(1));
        exports.Write("1234_CLICK_20180911_010203.txt", Rows(1, 10), T);
        exports.WriteReady("1234_CLICK_20180911_010203.txt", "", T);
        var config = WriteConfig(exports);

        var first = await SyncAsync(config);
        Assert.True(first.ExitCode == 0, first.Report);
        Assert.Equal(750, await CountAsync($"SELECT count(*) FROM {Schema}.contact_list"));
        Assert.Equal(750, await CountAsync($"SELECT count(DISTINCT (_sdc_source_file, _sdc_source_lineno)) FROM {Schema}.contact_list"));
        Assert.Equal(10, await CountAsync($"SELECT count(*) FROM {Schema}._1234_click"));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM information_schema.columns WHERE table_schema = '{Schema}' AND table_name = 'contact_list' AND column_name = 'id' AND data_type = 'bigint'"));
        Assert.Contains("CONTACT_LIST", first.Report);
        var runId = Guid.Parse(first.Report.Split(' ')[1]);
        var log = new StringWriter();
        Assert.Equal(0, await new LogCommand(NullLoggerFactory.Instance).RunAsync(runId, postgres.ConnectionString, log, CancellationToken.None));
        foreach (var step in new[] { "connect", "list", "tables", "files pending", "file started", "file finished" })
            Assert.Contains(step, log.ToString());
        Assert.Equal(750, await CountAsync($"SELECT rows_loaded FROM responsys_cluster.load_reports WHERE run_id = '{runId}' AND responsys_table = 'CONTACT_LIST'"));

        // A new actor system recovers the bookmarks from the journal: nothing is pending.
        var second = await SyncAsync(config);
        Assert.True(second.ExitCode == 0, second.Report);
        Assert.Equal(750, await CountAsync($"SELECT count(*) FROM {Schema}.contact_list"));
        Assert.Equal(3, await CountAsync($"SELECT count(*) FROM responsys_cluster.file_ledger WHERE connection_id = '{connection}'"));

        // Touching a file reloads exactly its rows, replacing the old ones.
        exports.SetModified("20180911_CONTACT_LIST.csv", T.AddDays(2));
        var third = await SyncAsync(config);
        Assert.True(third.ExitCode == 0, third.Report);
        Assert.Equal(750, await CountAsync($"SELECT count(*) FROM {Schema}.contact_list"));
        Assert.Equal(500, await CountAsync($"SELECT rows_replaced FROM responsys_cluster.file_ledger WHERE connection_id = '{connection}' AND modified = '2018-09-13T09:00:00Z'"));
    }

    [Fact]
    public async Task Should_fail_a_bad_file_without_partial_rows_and_load_it_once_fixed()
    {
        var exports = sftp.CreateExportDirectory();
        exports.Write("LIST_20180911_01.csv", Rows(1, 3), T.AddMinutes(1));
        exports.WriteReady("LIST_20180911_01.csv", "9", T.AddMinutes(1));
        exports.Write("LIST_20180911_02.csv", Rows(10, 2), T.AddMinutes(2));
        exports.WriteReady("LIST_20180911_02.csv", "2", T.AddMinutes(2));
        exports.Write("LIST_20180911_03.csv", Rows(20, 4), T.AddMinutes(3));
        exports.Write("LIST_20180911_04.csv", "ID,EMAIL,CREATED\n30,a@example.com,2018-09-11 09:00:00\n31,\"unclosed,x\n", T.AddMinutes(4));
        exports.WriteReady("LIST_20180911_04.csv", "", T.AddMinutes(4));
        var config = WriteConfig(exports);

        var first = await SyncAsync(config);
        Assert.Equal(1, first.ExitCode);
        Assert.Matches(@"LIST\s+1\s+0\s+2\s+1\s", first.Report); // 1 loaded, 2 failed, 1 waiting for its ready file
        Assert.Contains("LIST_20180911_04.csv: line 3: malformed CSV", first.Report);
        Assert.Contains("LIST_20180911_01.csv: record count mismatch: the ready file says 9, the file holds 3 records", first.Report);
        Assert.Equal(2, await CountAsync($"SELECT count(*) FROM {Schema}.list"));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM responsys_cluster.extraction_log WHERE connection_id = '{connection}' AND step = 'file failed' AND path LIKE '%LIST_20180911_01.csv' AND message LIKE '%says 9%'"));

        exports.WriteReady("LIST_20180911_01.csv", "3", T.AddMinutes(1));
        exports.WriteReady("LIST_20180911_03.csv", "4", T.AddMinutes(3));
        exports.Write("LIST_20180911_04.csv", "ID,EMAIL,CREATED\n30,a@example.com,2018-09-11 09:00:00\n31,\"closed\",x\n", T.AddMinutes(5));
        var second = await SyncAsync(config);
        Assert.True(second.ExitCode == 0, second.Report);
        Assert.Equal(11, await CountAsync($"SELECT count(*) FROM {Schema}.list"));
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM {Schema}.list GROUP BY _sdc_source_file, _sdc_source_lineno HAVING count(*) > 1 UNION ALL SELECT 0"));
    }

    [Fact]
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
        var node = new NodeCommand(NullLoggerFactory.Instance).RunAsync(new NodeArguments(config, postgres.ConnectionString), stop.Token);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        long rows = 0;
        while (DateTime.UtcNow < deadline && !node.IsCompleted)
        {
            rows = await CountAsync($"SELECT count(*) FROM responsys_cluster.file_ledger WHERE connection_id = '{connection}'") > 0
                ? await CountAsync($"SELECT count(*) FROM {Schema}.list") : 0;
            if (rows == 5) break;
            await Task.Delay(250);
        }
        stop.Cancel();
        Assert.Equal(0, await node);
        Assert.Equal(5, rows);
    }

    [Fact]
    public async Task Should_report_a_refused_login_and_exit_non_zero()
    {
        var exports = sftp.CreateExportDirectory();
        var config = WriteConfig(exports);
        File.WriteAllText(config, File.ReadAllText(config).Replace(sftp.KeyPath("ed25519"), sftp.KeyPath("unauthorized")));
        var (exitCode, report) = await SyncAsync(config);
        Assert.Equal(1, exitCode);
        Assert.Contains("error: Message from SFTP server: Authentication failed.", report);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM responsys_cluster.extraction_log WHERE connection_id = '{connection}' AND step = 'run failed'"));
    }

    [Fact]
    public async Task Should_fail_with_a_clear_error_without_a_database()
    {
        var exports = sftp.CreateExportDirectory();
        var output = new StringWriter();
        Environment.SetEnvironmentVariable(SyncCommand.PostgresVariable, null);
        var exitCode = await new SyncCommand(NullLoggerFactory.Instance)
            .RunAsync(new SyncArguments(WriteConfig(exports), null, null), output, CancellationToken.None);
        Assert.Equal(1, exitCode);
    }
}
