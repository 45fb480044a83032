using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Npgsql;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// The management API of a three-node cluster of real processes: a connection added through one node and run by
/// the node holding it, the members each with what they hold, and a graceful leave and a down seen in <c>members</c>.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed partial class ClusterApiTests(SftpServer sftp, PostgresServer postgres) : IAsyncLifetime
{
    private const int TestTimeout = 300_000;
    private const string Token = "cluster-api-token";
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(90);

    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(40) };
    private readonly List<EngineProcess> nodes = [];
    private ClusterDatabase database = null!;

    [GeneratedRegex(@"Node (?<name>\S+) at (?<address>akka\.tcp://responsys-cluster@127\.0\.0\.1:(?<port>\d+)), health endpoints on (?<http>http://127\.0\.0\.1:\d+)")]
    private static partial Regex Started();

    public async Task InitializeAsync()
    {
        database = await ClusterDatabase.CreateAsync(postgres.ConnectionString);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    public async Task DisposeAsync()
    {
        foreach (var node in nodes) await node.DisposeAsync();
        http.Dispose();
        await database.DisposeAsync();
    }

    private async Task<(EngineProcess Process, string Address, string Url)> StartNodeAsync(string name, string? seed)
    {
        List<string> arguments = ["node", "--postgres", database.ConnectionString, "--port", "0", "--http", "127.0.0.1:0", "--name", name];
        if (seed is not null) arguments.AddRange(["--seeds", seed]);
        var node = EngineProcess.Start(arguments, new Dictionary<string, string?> { ["RSX_API_TOKEN"] = Token });
        nodes.Add(node);
        var started = await node.WaitForLogAsync(Started(), StartLimit);
        return (node, started.Groups["address"].Value, started.Groups["http"].Value);
    }

    private async Task<JsonArray> MembersAsync(string url) =>
        JsonNode.Parse(await http.GetStringAsync(url + "/api/v1/cluster/members"))!.AsArray();

    private async Task<JsonArray> WaitForMembersAsync(string url, Func<JsonArray, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + StartLimit;
        while (true)
        {
            var members = await MembersAsync(url);
            if (condition(members)) return members;
            Assert.True(DateTime.UtcNow < deadline, $"{what} within {StartLimit.TotalSeconds} s; members: {members.ToJsonString()}");
            await Task.Delay(300);
        }
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> CtlAsync(string url, params string[] arguments)
    {
        await using var ctl = EngineProcess.Start(["ctl", "--url", url, .. arguments], new Dictionary<string, string?> { ["RSX_API_TOKEN"] = Token });
        return await ctl.WaitForExitAsync(TimeSpan.FromSeconds(60));
    }

    private static IEnumerable<string> Held(JsonNode member) => member["connections"]?.AsArray().Select(c => (string)c!) ?? [];

    [Fact(Timeout = TestTimeout)]
    public async Task Should_run_a_connection_added_on_one_node_where_it_is_held_and_show_a_leave_and_a_down_in_members()
    {
        var a = await StartNodeAsync("node-a", seed: null);
        var seed = a.Address.Replace("akka.tcp://responsys-cluster@", "");
        var b = await StartNodeAsync("node-b", seed);
        var c = await StartNodeAsync("node-c", seed);
        await WaitForMembersAsync(a.Url, m => m.Count == 3 && m.All(x => (string)x!["status"]! == "Up"), "three members were not all Up");

        var exports = sftp.CreateExportDirectory();
        var at = new DateTimeOffset(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);
        exports.Write("LIST_20180911.csv", "ID\n1\n2\n3\n", at);
        exports.WriteReady("LIST_20180911.csv", "3", at);
        var config = new JsonObject
        {
            ["host"] = sftp.Host, ["port"] = sftp.Port, ["username"] = sftp.User, ["path"] = exports.Path,
            ["private_key_file"] = sftp.KeyPath("ed25519"), ["start_date"] = "2018-01-01T00:00:00Z", ["schedule"] = new JsonObject { ["every"] = "1h" },
        };
        using (var put = await http.PutAsync(b.Url + "/api/v1/connections/spread", new StringContent(config.ToJsonString(), Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);

        // Exactly one member holds the connection's scheduler, whichever node was asked; that node's run loaded the file.
        var members = await WaitForMembersAsync(c.Url, m => m.All(x => x!["connections"] is not null) && m.Sum(x => Held(x!).Count(id => id == "spread")) == 1,
            "not every member answered, or no member held connection spread");
        var holder = members.Single(m => Held(m!).Contains("spread"))!;
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var deadline = DateTime.UtcNow + StartLimit;
        await using (var runs = dataSource.CreateCommand("SELECT node FROM responsys_cluster.runs WHERE connection_id = 'spread' AND status = 'succeeded'"))
        {
            object? node;
            while ((node = await runs.ExecuteScalarAsync()) is not string)
            {
                Assert.True(DateTime.UtcNow < deadline, "connection spread, added through node-b, did not run");
                await Task.Delay(300);
            }
            Assert.Equal((string)holder["name"]!, node);
        }
        await using (var rows = dataSource.CreateCommand("SELECT count(*) FROM responsys_spread.list"))
            Assert.Equal(3L, await rows.ExecuteScalarAsync());
        // The run has ended: every member answers, loading nothing.
        var idle = await WaitForMembersAsync(a.Url, m => m.All(x => x!["file_jobs"] is not null), "not every member answered");
        Assert.All(idle, m => Assert.Equal(0, (int)m!["file_jobs"]!));

        var left = await CtlAsync(a.Url, "leave", c.Address);
        Assert.Equal((0, $"{c.Address}: leaving\n"), (left.ExitCode, left.Stdout));
        await WaitForMembersAsync(a.Url, m => m.All(x => (string)x!["address"]! != c.Address), "node-c did not leave");
        await c.Process.WaitForExitAsync(StartLimit);

        var downed = await CtlAsync(a.Url, "down", b.Address);
        Assert.Equal((0, $"{b.Address}: down\n"), (downed.ExitCode, downed.Stdout));
        var alone = await WaitForMembersAsync(a.Url, m => m.Count == 1 && Held(m[0]!).Contains("spread"), "node-b was not removed, or node-a did not take connection spread");
        Assert.Equal(("node-a", "Up"), ((string)alone[0]!["name"]!, (string)alone[0]!["status"]!));
        var printed = await CtlAsync(a.Url, "members");
        Assert.Matches(@"\nakka\.tcp://responsys-cluster@127\.0\.0\.1:\d+\s+node-a\s+Up\s+yes\s+yes\s+\S+\s+1\s+0\n$", printed.Stdout);
        var unknown = await CtlAsync(a.Url, "down", b.Address);
        Assert.Equal((1, $"error: {b.Address} is not a member of the cluster"), (unknown.ExitCode, unknown.Stderr.Trim()));
    }
}
