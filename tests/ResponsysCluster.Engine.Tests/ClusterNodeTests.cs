using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Npgsql;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// <c>responsys-cluster node</c> processes on 127.0.0.1 as cluster members: they find each other through their
/// seeds, report ready only once they are Up members with PostgreSQL answering, and name themselves to PostgreSQL.
/// Every node takes any free port for its cluster transport and its listener (port 0), and the tests read the
/// ports from its log, so no two tests can race for a port.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed partial class ClusterNodeTests(SftpServer sftp, PostgresServer postgres) : IAsyncLifetime
{
    private ClusterDatabase database = null!;

    public async Task InitializeAsync() => database = await ClusterDatabase.CreateAsync(postgres.ConnectionString);

    public async Task DisposeAsync() => await database.DisposeAsync();

    private const int TestTimeout = 120_000;
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [GeneratedRegex(@"Node (?<name>\S+) at (?<address>akka\.tcp://responsys-cluster@127\.0\.0\.1:(?<port>\d+)), health endpoints on (?<http>http://127\.0\.0\.1:\d+)")]
    private static partial Regex Started();

    private string WriteConfig(string connection = "", string? directory = null)
    {
        var exports = sftp.CreateExportDirectory();
        if (connection.Length > 0)
        {
            var at = new DateTimeOffset(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);
            exports.Write("20180911_LIST.csv", "ID,EMAIL\n1,a@example.com\n2,b@example.com\n", at);
            exports.WriteReady("20180911_LIST.csv", "2", at);
        }
        var path = directory is null
            ? Path.Combine(Directory.CreateTempSubdirectory("rsx-cluster-").FullName, "connection.json")
            : Path.Combine(directory, connection + ".json");
        var json = new JsonObject
        {
            ["host"] = sftp.Host, ["port"] = sftp.Port, ["username"] = sftp.User, ["path"] = exports.Path,
            ["private_key_file"] = sftp.KeyPath("ed25519"), ["start_date"] = "2018-01-01T00:00:00Z",
            ["connection_id"] = connection.Length > 0 ? connection : "c" + Guid.NewGuid().ToString("N")[..10],
            ["schedule"] = new JsonObject { ["every"] = "1h" },
        };
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    private EngineProcess StartNode(string name, string? seeds = null, string connection = "", string? configPath = null)
    {
        List<string> arguments = ["node", "--config", configPath ?? WriteConfig(connection), "--postgres", database.ConnectionString,
            "--port", "0", "--http", "127.0.0.1:0", "--name", name];
        if (seeds is not null) arguments.AddRange(["--seeds", seeds]);
        return EngineProcess.Start(arguments);
    }

    private static async Task<HttpStatusCode> StatusAsync(string url)
    {
        using var response = await Http.GetAsync(url);
        return response.StatusCode;
    }

    private static async Task WaitForStatusAsync(string url, HttpStatusCode expected, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        HttpStatusCode last;
        while ((last = await StatusAsync(url)) != expected)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{url} answered {(int)last}, not {(int)expected}, for {limit.TotalSeconds} s");
            await Task.Delay(200);
        }
    }

    private async Task<List<string>> ApplicationNamesAsync(params string[] names)
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        await using var command = dataSource.CreateCommand(
            "SELECT DISTINCT application_name FROM pg_stat_activity WHERE application_name = ANY(@names) ORDER BY 1");
        command.Parameters.AddWithValue("names", names);
        var found = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) found.Add(reader.GetString(0));
        return found;
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_form_a_cluster_of_two_node_processes_each_ready_once_up_and_naming_itself_to_postgres()
    {
        var nameA = "a-" + Guid.NewGuid().ToString("N")[..8];
        var nameB = "b-" + Guid.NewGuid().ToString("N")[..8];
        var connection = "c" + Guid.NewGuid().ToString("N")[..10];
        var config = WriteConfig(connection);
        await using var a = StartNode(nameA, configPath: config);
        var startedA = await a.WaitForLogAsync(Started(), StartLimit);
        // Every node of a cluster is given the same connections: either may host the connection's scheduler.
        await using var b = StartNode(nameB, seeds: $"127.0.0.1:{startedA.Groups["port"].Value}", configPath: config);
        var startedB = await b.WaitForLogAsync(Started(), StartLimit);

        await WaitForStatusAsync(startedA.Groups["http"].Value + "/health/ready", HttpStatusCode.OK, StartLimit);
        await WaitForStatusAsync(startedB.Groups["http"].Value + "/health/ready", HttpStatusCode.OK, StartLimit);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(startedB.Groups["http"].Value + "/health/live"));

        // Each sees the other up: one cluster, not two.
        await a.WaitForLogAsync(new Regex("Cluster member up: " + Regex.Escape(startedB.Groups["address"].Value)), StartLimit);
        await b.WaitForLogAsync(new Regex("Cluster member up: " + Regex.Escape(startedA.Groups["address"].Value)), StartLimit);
        Assert.Equal(new[] { nameA, nameB }.Select(n => "responsys-cluster:" + n).Order(),
            await ApplicationNamesAsync("responsys-cluster:" + nameA, "responsys-cluster:" + nameB));
        // The connection ran: the ledger names the node that loaded the file, one of the two.
        Assert.Contains(await LoadedByAsync(connection, StartLimit), new[] { nameA, nameB });
    }

    private async Task<string?> LoadedByAsync(string connection, TimeSpan limit)
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            await using var command = dataSource.CreateCommand("SELECT loaded_by FROM responsys_cluster.file_ledger WHERE connection_id = @c");
            command.Parameters.AddWithValue("c", connection);
            if (await command.ExecuteScalarAsync() is string loadedBy) return loadedBy;
            Assert.True(DateTime.UtcNow < deadline, $"connection {connection} loaded nothing in {limit.TotalSeconds} s");
            await Task.Delay(200);
        }
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_replicate_every_connection_of_the_directory_RSX_CONNECTIONS_names()
    {
        var directory = Directory.CreateTempSubdirectory("rsx-connections-").FullName;
        var first = "c" + Guid.NewGuid().ToString("N")[..10];
        var second = "c" + Guid.NewGuid().ToString("N")[..10];
        WriteConfig(first, directory);
        WriteConfig(second, directory);
        var name = "dir-" + Guid.NewGuid().ToString("N")[..8];

        await using var node = EngineProcess.Start(["node", "--postgres", database.ConnectionString, "--port", "0", "--http", "127.0.0.1:0", "--name", name],
            new Dictionary<string, string?> { ["RSX_CONNECTIONS"] = directory });
        var started = await node.WaitForLogAsync(Started(), StartLimit);

        Assert.Contains($"adding connections {string.Join(", ", new[] { first, second }.Order(StringComparer.Ordinal))} to the registry;", node.StderrSoFar);
        Assert.Equal(name, await LoadedByAsync(first, StartLimit));
        Assert.Equal(name, await LoadedByAsync(second, StartLimit));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(started.Groups["http"].Value + "/health/live"));
        // The run's extraction log names the node beside each step.
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        await using var nodes = dataSource.CreateCommand("SELECT array_agg(DISTINCT coalesce(node, '')) FROM responsys_cluster.extraction_log WHERE connection_id = @c");
        nodes.Parameters.AddWithValue("c", first);
        Assert.Equal([name], (string[])(await nodes.ExecuteScalarAsync())!);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_keep_connections_added_changed_paused_and_removed_across_a_restart_with_no_connection_files()
    {
        var connection = "c" + Guid.NewGuid().ToString("N")[..10];
        var directory = Directory.CreateTempSubdirectory("rsx-connections-").FullName;
        var exports = sftp.CreateExportDirectory();
        var at = new DateTimeOffset(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);
        exports.Write("LIST_20180911.csv", "ID\n1\n", at);
        exports.WriteReady("LIST_20180911.csv", "1", at);
        JsonObject Config(string id) => new()
        {
            ["host"] = sftp.Host, ["port"] = sftp.Port, ["username"] = sftp.User, ["path"] = exports.Path,
            ["private_key_file"] = sftp.KeyPath("ed25519"), ["start_date"] = "2018-01-01T00:00:00Z", ["connection_id"] = id,
            ["schedule"] = new JsonObject { ["every"] = "2s" },
        };
        File.WriteAllText(Path.Combine(directory, "c.json"), Config(connection).ToJsonString());
        string[] node = ["node", "--postgres", database.ConnectionString, "--port", "0", "--http", "127.0.0.1:0"];
        var (paused, removed) = (connection + "p", connection + "r");

        await using (var first = EngineProcess.Start([.. node, "--name", "first", "--connections", directory]))
        {
            var api = (await first.WaitForLogAsync(Started(), StartLimit)).Groups["http"].Value + "/api/v1/connections/";
            await first.WaitForLogAsync(new Regex($"Connection {connection} from .*c\\.json: saved in the registry"), StartLimit);
            Assert.Equal("first", await LoadedByAsync(connection, StartLimit));
            // Through the API (open on a loopback listener without a token): one changed, one added and paused, one added and removed.
            var changed = Config(connection);
            changed["ready_timeout"] = "48h";
            foreach (var (id, body) in new[] { (connection, changed), (paused, Config(paused)), (removed, Config(removed)) })
                Assert.True((await Http.PutAsync(api + id, new StringContent(body.ToJsonString()))).IsSuccessStatusCode);
            Assert.True((await Http.PostAsync(api + paused + "/pause", null)).IsSuccessStatusCode);
            Assert.True((await Http.DeleteAsync(api + removed)).IsSuccessStatusCode);
            first.Terminate();
            Assert.Equal(0, (await first.WaitForExitAsync(TimeSpan.FromSeconds(60))).ExitCode);
        }
        Directory.Delete(directory, recursive: true);
        exports.Write("LIST_20180912.csv", "ID\n2\n", at.AddDays(1));
        exports.WriteReady("LIST_20180912.csv", "1", at.AddDays(1));

        // Started again with no connection at all: the registry in the journal still has them as they were left.
        await using var second = EngineProcess.Start([.. node, "--name", "second"]);
        var secondApi = (await second.WaitForLogAsync(Started(), StartLimit)).Groups["http"].Value + "/api/v1/connections";
        var deadline = DateTime.UtcNow + StartLimit;
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        await using var loaded = dataSource.CreateCommand(
            "SELECT loaded_by FROM responsys_cluster.file_ledger WHERE connection_id = @c AND path LIKE '%LIST_20180912.csv'");
        loaded.Parameters.AddWithValue("c", connection);
        while (await loaded.ExecuteScalarAsync() is not string)
        {
            Assert.True(DateTime.UtcNow < deadline, "the registered connection did not load its new file after the restart");
            await Task.Delay(500);
        }
        Assert.Equal("second", (string)(await loaded.ExecuteScalarAsync())!);
        var registered = JsonNode.Parse(await Http.GetStringAsync(secondApi))!.AsArray().ToDictionary(c => (string)c!["id"]!, c => c!);
        Assert.Equal([connection, paused], registered.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("48h", (string)registered[connection]["config"]!["ready_timeout"]!);
        Assert.True((bool)registered[paused]["paused"]!);
        // The paused connection ran once when it was added (an interval schedule runs at once), and not since the restart.
        await using var runsOfPaused = dataSource.CreateCommand(
            "SELECT count(*) FROM responsys_cluster.file_ledger WHERE connection_id = @c AND path LIKE '%LIST_20180912.csv'");
        runsOfPaused.Parameters.AddWithValue("c", paused);
        Assert.Equal(0L, await runsOfPaused.ExecuteScalarAsync());
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_stay_live_but_not_ready_while_its_seed_does_not_answer()
    {
        // A port that accepts TCP connections but never speaks Akka: the seed is there and never lets the node join.
        using var silentSeed = new TcpListener(IPAddress.Loopback, 0);
        silentSeed.Start();
        await using var node = StartNode("lonely-" + Guid.NewGuid().ToString("N")[..8], seeds: $"127.0.0.1:{((IPEndPoint)silentSeed.LocalEndpoint).Port}");
        var started = await node.WaitForLogAsync(Started(), StartLimit);

        // Longer than the seed-node timeout after which a node listing itself first would form a cluster alone.
        var until = DateTime.UtcNow.AddSeconds(8);
        while (DateTime.UtcNow < until)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(started.Groups["http"].Value + "/health/live"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusAsync(started.Groups["http"].Value + "/health/ready"));
            await Task.Delay(500);
        }
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_stop_with_a_clear_error_naming_the_flag_and_its_variable_when_a_seed_is_not_host_and_port()
    {
        await using var node = EngineProcess.Start(["node", "--config", WriteConfig(), "--postgres", database.ConnectionString, "--seeds", "node-a"]);
        var (exitCode, stdout, stderr) = await node.WaitForExitAsync(StartLimit);

        Assert.Equal(2, exitCode);
        Assert.Contains("--seeds (RSX_SEEDS): 'node-a' is not host:port", stderr);
        Assert.Empty(stdout);
    }
}
