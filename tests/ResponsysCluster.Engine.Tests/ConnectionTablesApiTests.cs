using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// The management API's connection tests, tables, selection, schedule and table reset, against a real node
/// process with its own database and the real sshd.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed partial class ConnectionTablesApiTests(SftpServer sftp, PostgresServer postgres) : IAsyncLifetime
{
    private const int TestTimeout = 180_000;
    private const string Token = "tables-test-token";
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);
    private static readonly DateTimeOffset At = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);

    private ClusterDatabase database = null!;
    private ApiNode api = null!;




    public async Task InitializeAsync()
    {
        database = await ClusterDatabase.CreateAsync(postgres.ConnectionString);
        api = await ApiNode.StartAsync(database.ConnectionString, "tables", Token);
    }

    public async Task DisposeAsync()
    {
        await api.DisposeAsync();
        await database.DisposeAsync();
    }

    private JsonObject Connection(string path, string key = "ed25519") => new()
    {
        ["host"] = sftp.Host, ["port"] = sftp.Port, ["username"] = sftp.User, ["path"] = path,
        ["private_key_file"] = sftp.KeyPath(key), ["start_date"] = "2018-01-01T00:00:00Z",
    };

    private Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpMethod method, string route, string? body = null) => api.SendAsync(method, route, body);

    /// <summary>Starts a run of <paramref name="id"/> and waits until it ended, answering it.</summary>
    private async Task<JsonNode> RunAsync(string id)
    {
        var started = await SendAsync(HttpMethod.Post, $"/connections/{id}/runs");
        Assert.Equal(HttpStatusCode.Accepted, started.Status);
        var runId = (string)started.Body!["run_id"]!;
        var deadline = DateTime.UtcNow + StartLimit;
        while (true)
        {
            var run = await SendAsync(HttpMethod.Get, $"/runs/{runId}");
            if (run.Status == HttpStatusCode.OK && (string)run.Body!["run"]!["status"]! != "running") return run.Body;
            Assert.True(DateTime.UtcNow < deadline, $"run {runId} did not end within 60 s");
            await Task.Delay(200);
        }
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_test_a_connection_answering_its_tables_and_the_host_key_or_the_error_and_save_nothing()
    {
        var exports = sftp.CreateExportDirectory();
        exports.Write("LIST_20180911.csv", "ID\n1\n", At);
        exports.WriteReady("LIST_20180911.csv", "1", At);
        exports.Write("WAITING_20180911.csv", "ID\n1\n", At);
        var good = Connection(exports.Path);
        var unauthorized = Connection(exports.Path, "unauthorized");
        var closedPort = Connection(exports.Path);
        using (var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            closedPort["port"] = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        var misspelt = Connection(exports.Path);
        misspelt["hostname"] = "typo";

        var passed = await SendAsync(HttpMethod.Post, "/connections/test", good.ToJsonString());
        var refused = await SendAsync(HttpMethod.Post, "/connections/test", unauthorized.ToJsonString());
        var timer = System.Diagnostics.Stopwatch.StartNew();
        var unreachable = await SendAsync(HttpMethod.Post, "/connections/test", closedPort.ToJsonString());
        timer.Stop();
        var badKey = await SendAsync(HttpMethod.Post, "/connections/test", misspelt.ToJsonString());

        Assert.Equal(HttpStatusCode.OK, passed.Status);
        Assert.True((bool)passed.Body!["ok"]!);
        Assert.Equal(sftp.HostKeyFingerprint, (string)passed.Body["host_key_fingerprint"]!);
        Assert.Equal(["LIST"], passed.Body["tables"]!.AsArray().Select(t => (string)t!));
        Assert.Equal(["WAITING"], passed.Body["tables_without_ready_files"]!.AsArray().Select(t => (string)t!));
        Assert.Null(passed.Body["error"]);
        Assert.Equal((HttpStatusCode.OK, false), (refused.Status, (bool)refused.Body!["ok"]!));
        Assert.StartsWith("Message from SFTP server: Authentication failed.", (string)refused.Body["error"]!);
        // The server's key is known before the login fails: the operator can pin it all the same.
        Assert.Equal(sftp.HostKeyFingerprint, (string)refused.Body["host_key_fingerprint"]!);
        Assert.False((bool)unreachable.Body!["ok"]!);
        Assert.StartsWith($"Could not connect to SFTP {sftp.Host}:{closedPort["port"]}", (string)unreachable.Body["error"]!);
        Assert.True(timer.Elapsed < TimeSpan.FromSeconds(10), $"a refused port took {timer.Elapsed} to answer: it was retried");
        Assert.Equal((HttpStatusCode.BadRequest, "Config key 'hostname': is not a connection setting"), (badKey.Status, (string)badKey.Body!["error"]!));
        Assert.Empty((await SendAsync(HttpMethod.Get, "/connections")).Body!.AsArray());

        Assert.Equal(HttpStatusCode.Created, (await SendAsync(HttpMethod.Put, "/connections/probe", good.ToJsonString())).Status);
        var registered = await SendAsync(HttpMethod.Post, "/connections/probe/test");
        Assert.Equal((true, "probe"), ((bool)registered.Body!["ok"]!, (string)registered.Body["connection_id"]!));
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Post, "/connections/nope/test")).Status);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_list_tables_with_inferred_columns_bookmark_and_loads_and_apply_a_selection_and_a_schedule()
    {
        var exports = sftp.CreateExportDirectory();
        exports.Write("CONTACT_20180911.csv", "RIID_,EMAIL_ADDRESS_,CREATED_\n1,a@x.io,2018-09-10 10:00:00\n2,b@x.io,2018-09-10 11:00:00\n", At);
        exports.WriteReady("CONTACT_20180911.csv", "2", At);
        exports.Write("CLICK_20180911.csv", "RIID_\n7\n", At);
        exports.WriteReady("CLICK_20180911.csv", "1", At);
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(HttpMethod.Put, "/connections/shop", Connection(exports.Path).ToJsonString())).Status);
        Assert.Equal("succeeded", (string)(await RunAsync("shop"))["run"]!["status"]!);

        var listed = await SendAsync(HttpMethod.Get, "/connections/shop/tables");

        Assert.Equal(HttpStatusCode.OK, listed.Status);
        Assert.True((bool)listed.Body!["all_tables_selected"]!);
        var tables = listed.Body["tables"]!.AsArray();
        Assert.Equal(["CLICK", "CONTACT"], tables.Select(t => (string)t!["table"]!));
        var contact = tables[1]!;
        Assert.Equal([("RIID_", "integer", true), ("EMAIL_ADDRESS_", "string", true), ("CREATED_", "datetime", true)],
            contact["columns"]!.AsArray().Select(c => ((string)c!["name"]!, (string)c["type"]!, (bool)c["selected"]!)));
        Assert.Equal((true, true, 1L, 2L), ((bool)contact["selected"]!, (bool)contact["on_server"]!, (long)contact["files_loaded"]!, (long)contact["rows_loaded"]!));
        Assert.EndsWith("/CONTACT_20180911.csv", (string)contact["last_file"]!);
        Assert.NotNull(contact["last_loaded_at"]);
        Assert.Equal((At, 1), ((DateTimeOffset)contact["bookmark"]!["modified_since"]!, (int)contact["bookmark"]!["files_done"]!));

        var selected = await SendAsync(HttpMethod.Put, "/connections/shop/selection",
            """{"tables": {"CONTACT": {"selected": true, "columns": ["RIID_", "EMAIL_ADDRESS_"]}, "CLICK": {"selected": false}}}""");
        Assert.Equal(HttpStatusCode.OK, selected.Status);
        Assert.Equal("""["CONTACT"]""", selected.Body!["config"]!["tables"]!.ToJsonString());
        Assert.Equal("""{"CONTACT":["RIID_","EMAIL_ADDRESS_"]}""", selected.Body["config"]!["columns"]!.ToJsonString());
        var after = (await SendAsync(HttpMethod.Get, "/connections/shop/tables")).Body!;
        Assert.False((bool)after["all_tables_selected"]!);
        Assert.False((bool)after["tables"]![0]!["selected"]!);
        Assert.Equal([true, true, false], after["tables"]![1]!["columns"]!.AsArray().Select(c => (bool)c!["selected"]!));

        var badEntry = await SendAsync(HttpMethod.Put, "/connections/shop/selection", """{"tables": {"CLICK": {"chosen": true}}}""");
        var badColumns = await SendAsync(HttpMethod.Put, "/connections/shop/selection", """{"tables": {"CLICK": {"selected": true, "columns": "RIID_"}}}""");
        var extraKey = await SendAsync(HttpMethod.Put, "/connections/shop/selection", """{"tables": null, "all": true}""");
        Assert.Equal((HttpStatusCode.BadRequest, "tables.CLICK: must be {\"selected\": true|false}, with \"columns\" optionally"), (badEntry.Status, (string)badEntry.Body!["error"]!));
        Assert.Equal(HttpStatusCode.BadRequest, badColumns.Status);
        Assert.StartsWith("Config key 'columns'", (string)badColumns.Body!["error"]!);
        Assert.Equal(HttpStatusCode.BadRequest, extraKey.Status);
        var all = await SendAsync(HttpMethod.Put, "/connections/shop/selection", """{"tables": null}""");
        Assert.Null(all.Body!["config"]!["tables"]);
        Assert.Null(all.Body["config"]!["columns"]);

        var scheduled = await SendAsync(HttpMethod.Put, "/connections/shop/schedule", """{"every": "2h"}""");
        Assert.Equal("""{"every":"2h"}""", scheduled.Body!["config"]!["schedule"]!.ToJsonString());
        var badSchedule = await SendAsync(HttpMethod.Put, "/connections/shop/schedule", """{"every": "often"}""");
        Assert.Equal(HttpStatusCode.BadRequest, badSchedule.Status);
        Assert.StartsWith("Config key 'schedule", (string)badSchedule.Body!["error"]!);
        Assert.Null((await SendAsync(HttpMethod.Put, "/connections/shop/schedule", "null")).Body!["config"]!["schedule"]);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, "/connections/nope/tables")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Put, "/connections/nope/selection", """{"tables": null}""")).Status);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_reset_a_table_emptying_it_with_its_ledger_and_reload_it_exactly_once_but_not_while_a_run_holds_the_lock()
    {
        var exports = sftp.CreateExportDirectory();
        var rows = string.Concat(Enumerable.Range(1, 500).Select(i => $"{i},name {i}\n"));
        exports.Write("LIST_20180910.csv", "ID,NAME\n" + rows, At.AddDays(-1));
        exports.WriteReady("LIST_20180910.csv", "500", At.AddDays(-1));
        exports.Write("LIST_20180911.csv", "ID,NAME\n501,last\n", At);
        exports.WriteReady("LIST_20180911.csv", "1", At);
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(HttpMethod.Put, "/connections/again", Connection(exports.Path).ToJsonString())).Status);
        Assert.Equal(501L, (long)(await RunAsync("again"))["tables"]![0]!["rows_loaded"]!);
        const string Count = "SELECT count(*) FROM responsys_again.list";

        // A run of the connection holds its run lock: the reset waits for nothing and changes nothing.
        await using (var dataSource = NpgsqlDataSource.Create(database.ConnectionString))
        await using (var session = await dataSource.OpenConnectionAsync())
        {
            await using var hold = new NpgsqlCommand("SELECT pg_advisory_lock(727274002, @key)", session);
            hold.Parameters.AddWithValue("key", Postgres.ConnectionRunLock.KeyOf("again"));
            await hold.ExecuteNonQueryAsync();
            var refused = await SendAsync(HttpMethod.Post, "/connections/again/tables/LIST/reset");
            Assert.Equal((HttpStatusCode.Conflict, "a run of connection again is going; reset LIST once it ends"), (refused.Status, (string)refused.Body!["error"]!));
            Assert.Equal(501, await ScalarAsync(Count));
            // Released here rather than by closing the session: a closed session's backend lets go of its locks some time after the client has gone.
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(727274002, @key)", session);
            release.Parameters.AddWithValue("key", Postgres.ConnectionRunLock.KeyOf("again"));
            Assert.True((bool)(await release.ExecuteScalarAsync())!);
        }

        var reset = await SendAsync(HttpMethod.Post, "/connections/again/tables/LIST/reset");

        Assert.Equal(HttpStatusCode.OK, reset.Status);
        Assert.Equal(2L, (long)reset.Body!["files_forgotten"]!);
        Assert.Equal(0, await ScalarAsync(Count));
        Assert.Equal(0, await ScalarAsync("SELECT count(*) FROM responsys_cluster.file_ledger WHERE connection_id = 'again'"));
        var reloaded = await RunAsync("again");
        Assert.Equal((2, 501L), ((int)reloaded["tables"]![0]!["files_loaded"]!, (long)reloaded["tables"]![0]!["rows_loaded"]!));
        Assert.Equal(501, await ScalarAsync(Count));
        Assert.Equal(501, await ScalarAsync("SELECT count(DISTINCT (_sdc_source_file, _sdc_source_lineno)) FROM responsys_again.list"));
        var unknown = await SendAsync(HttpMethod.Post, "/connections/again/tables/NOPE/reset");
        Assert.Equal((HttpStatusCode.NotFound, "connection again has no table NOPE"), (unknown.Status, (string)unknown.Body!["error"]!));
    }
}
