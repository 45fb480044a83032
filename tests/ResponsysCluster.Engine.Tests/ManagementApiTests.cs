using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Npgsql;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// The management API of a real node process (its own database, the real sshd): the token, the connection
/// registry's routes with each kind of bad request, a run started on demand, and the members.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed partial class ManagementApiTests(SftpServer sftp, PostgresServer postgres) : IAsyncLifetime
{
    private const int TestTimeout = 180_000;
    private const string Token = "test-token-that-stays-secret";
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);

    private ClusterDatabase database = null!;
    private ApiNode api = null!;

    private HttpClient http => api.Http;

    private EngineProcess node => api.Process;

    private string baseUrl => api.ApiUrl;

    public async Task InitializeAsync()
    {
        database = await ClusterDatabase.CreateAsync(postgres.ConnectionString);
        api = await ApiNode.StartAsync(database.ConnectionString, "api", Token);
    }

    public async Task DisposeAsync()
    {
        await api.DisposeAsync();
        await database.DisposeAsync();
    }

    private JsonObject Connection(string path) => new()
    {
        ["host"] = sftp.Host, ["port"] = sftp.Port, ["username"] = sftp.User, ["path"] = path,
        ["private_key_file"] = sftp.KeyPath("ed25519"), ["start_date"] = "2018-01-01T00:00:00Z",
    };

    private Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpMethod method, string route, string? body = null) => api.SendAsync(method, route, body);

    [Fact(Timeout = TestTimeout)]
    public async Task Should_refuse_a_request_without_the_token_or_with_another_saying_only_unauthorized()
    {
        using var anonymous = new HttpClient();
        using var wrong = new HttpClient();
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-" + Token);

        foreach (var client in new[] { anonymous, wrong })
        {
            using var response = await client.GetAsync(baseUrl + "/connections");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("""{"error":"unauthorized"}""", await response.Content.ReadAsStringAsync());
        }
        using var health = await anonymous.GetAsync(baseUrl.Replace("/api/v1", "/health/live"));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.DoesNotContain(Token, node.StderrSoFar);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_add_a_connection_that_the_cluster_then_runs_and_show_pause_resume_and_remove_it()
    {
        var exports = sftp.CreateExportDirectory();
        var at = new DateTimeOffset(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);
        exports.Write("LIST_20180911.csv", "ID\n1\n2\n", at);
        exports.WriteReady("LIST_20180911.csv", "2", at);
        var config = Connection(exports.Path);
        config["schedule"] = new JsonObject { ["every"] = "1h" };

        var created = await SendAsync(HttpMethod.Put, "/connections/api_c1", config.ToJsonString());
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(("api_c1", false), ((string)created.Body!["id"]!, (bool)created.Body["paused"]!));
        Assert.Equal("api_c1", (string)created.Body["config"]!["connection_id"]!);

        // Registered, the connection's scheduler starts on the node holding it and runs at once (an interval schedule).
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var deadline = DateTime.UtcNow + StartLimit;
        await using (var ledger = dataSource.CreateCommand("SELECT count(*) FROM responsys_cluster.file_ledger WHERE connection_id = 'api_c1'"))
        {
            while ((long)(await ledger.ExecuteScalarAsync())! < 1)
            {
                Assert.True(DateTime.UtcNow < deadline, "the connection added through the API did not load its file");
                await Task.Delay(300);
            }
        }

        var replaced = await SendAsync(HttpMethod.Put, "/connections/api_c1", config.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, replaced.Status);
        Assert.Single((await SendAsync(HttpMethod.Get, "/connections")).Body!.AsArray(), c => (string)c!["id"]! == "api_c1");
        Assert.True((bool)(await SendAsync(HttpMethod.Post, "/connections/api_c1/pause")).Body!["paused"]!);
        Assert.True((bool)(await SendAsync(HttpMethod.Get, "/connections/api_c1")).Body!["paused"]!);
        Assert.False((bool)(await SendAsync(HttpMethod.Post, "/connections/api_c1/resume")).Body!["paused"]!);

        using (var removed = await http.DeleteAsync(baseUrl + "/connections/api_c1"))
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        var gone = await SendAsync(HttpMethod.Get, "/connections/api_c1");
        Assert.Equal((HttpStatusCode.NotFound, "connection api_c1 is not registered"), (gone.Status, (string)gone.Body!["error"]!));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_answer_each_kind_of_bad_request_with_400_naming_what_is_wrong_and_an_unknown_id_with_404()
    {
        var path = sftp.CreateExportDirectory().Path;
        var badPort = Connection(path);
        badPort["port"] = "twenty-two";
        var inlineSecret = Connection(path);
        inlineSecret["password"] = "hunter2";
        var otherId = Connection(path);
        otherId["connection_id"] = "another";

        var malformed = await SendAsync(HttpMethod.Put, "/connections/bad", "{\"host\": ");
        var wrongType = await SendAsync(HttpMethod.Put, "/connections/bad", badPort.ToJsonString());
        var secret = await SendAsync(HttpMethod.Put, "/connections/bad", inlineSecret.ToJsonString());
        var differentId = await SendAsync(HttpMethod.Put, "/connections/bad", otherId.ToJsonString());
        var notAnObject = await SendAsync(HttpMethod.Put, "/connections/bad", "[1, 2]");

        Assert.All(new[] { malformed, wrongType, secret, differentId, notAnObject }, r => Assert.Equal(HttpStatusCode.BadRequest, r.Status));
        Assert.StartsWith("not valid JSON: ", (string)malformed.Body!["error"]!);
        Assert.Equal("Config key 'port': must be a whole number", (string)wrongType.Body!["error"]!);
        Assert.StartsWith("Config key 'password': a registered connection keeps its secrets out of the registry", (string)secret.Body!["error"]!);
        Assert.DoesNotContain("hunter2", secret.Body!.ToJsonString());
        Assert.StartsWith("Config key 'connection_id': 'another' differs", (string)differentId.Body!["error"]!);
        Assert.StartsWith("not valid JSON: the body must be a JSON object", (string)notAnObject.Body!["error"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, "/connections/bad")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Post, "/connections/nope/pause")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Post, "/connections/nope/runs")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, "/no/such/route")).Status);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_start_a_run_on_demand_answering_its_id_and_name_the_node_as_the_only_member_and_leader()
    {
        var exports = sftp.CreateExportDirectory();
        var at = new DateTimeOffset(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);
        exports.Write("LIST_20180911.csv", "ID\n1\n", at);
        exports.WriteReady("LIST_20180911.csv", "1", at);
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(HttpMethod.Put, "/connections/api_run", Connection(exports.Path).ToJsonString())).Status);

        var started = await SendAsync(HttpMethod.Post, "/connections/api_run/runs", """{"tables": ["LIST"]}""");
        var members = (await SendAsync(HttpMethod.Get, "/cluster/members")).Body!.AsArray();

        Assert.Equal(HttpStatusCode.Accepted, started.Status);
        var runId = Guid.Parse((string)started.Body!["run_id"]!);
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        await using var steps = dataSource.CreateCommand("SELECT count(*) FROM responsys_cluster.extraction_log WHERE run_id = @r");
        steps.Parameters.AddWithValue("r", runId);
        var deadline = DateTime.UtcNow + StartLimit;
        while ((long)(await steps.ExecuteScalarAsync())! == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"run {runId} wrote no step");
            await Task.Delay(200);
        }
        // The run ends: its record, its report of the table, and its log, each step naming the node.
        JsonNode run;
        do
        {
            Assert.True(DateTime.UtcNow < deadline, $"run {runId} did not end");
            await Task.Delay(200);
            run = (await SendAsync(HttpMethod.Get, $"/runs/{runId}")).Body!;
        }
        while ((string)run["run"]!["status"]! == "running");
        Assert.Equal(("succeeded", "api_run", "api"), ((string)run["run"]!["status"]!, (string)run["run"]!["connection_id"]!, (string)run["run"]!["node"]!));
        var table = Assert.Single(run["tables"]!.AsArray())!;
        Assert.Equal(("LIST", 1, 1L), ((string)table["table"]!, (int)table["files_loaded"]!, (long)table["rows_loaded"]!));
        var listed = (await SendAsync(HttpMethod.Get, "/connections/api_run/runs?limit=5")).Body!.AsArray();
        Assert.Equal(runId, Guid.Parse((string)Assert.Single(listed)!["run_id"]!));
        var log = (await SendAsync(HttpMethod.Get, $"/runs/{runId}/log")).Body!.AsArray();
        Assert.Equal("connect", (string)log[0]!["step"]!);
        Assert.All(log, step => Assert.Equal("api", (string)step!["node"]!));
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(HttpMethod.Get, "/connections/api_run/runs?limit=0")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"/runs/{Guid.NewGuid()}")).Status);

        var member = Assert.Single(members)!;
        Assert.Equal(("api", "Up", true, true), ((string)member["name"]!, (string)member["status"]!, (bool)member["leader"]!, (bool)member["reachable"]!));
        Assert.StartsWith("akka.tcp://responsys-cluster@127.0.0.1:", (string)member["address"]!);
        Assert.NotNull(member["up_since"]);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_describe_every_route_of_the_api_in_its_openapi_document_behind_the_token()
    {
        using var anonymous = new HttpClient();
        using var refused = await anonymous.GetAsync(baseUrl + "/openapi/v1.json");

        var document = (await SendAsync(HttpMethod.Get, "/openapi/v1.json")).Body!;

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.StartsWith("3.", (string)document["openapi"]!);
        Assert.Equal("ResponsysCluster management API", (string)document["info"]!["title"]!);
        var operations = document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject().Select(op => $"{op.Key.ToUpperInvariant()} {path.Key}")).ToHashSet();
        string[] routes =
        [
            "GET /cluster/members", "POST /cluster/members/{address}/leave", "POST /cluster/members/{address}/down",
            "GET /connections", "GET /connections/{id}", "PUT /connections/{id}", "DELETE /connections/{id}", "POST /connections/{id}/pause",
            "POST /connections/{id}/resume", "POST /connections/{id}/test", "POST /connections/test", "GET /connections/{id}/tables",
            "PUT /connections/{id}/selection", "PUT /connections/{id}/schedule", "POST /connections/{id}/tables/{table}/reset",
            "POST /connections/{id}/runs", "GET /connections/{id}/runs", "GET /runs/{runId}", "GET /runs/{runId}/log",
        ];
        Assert.All(routes, route => Assert.Contains(route.Replace(" /", " /api/v1/"), operations));
    }

    /// <summary>Runs <c>responsys-cluster ctl ARGS</c> against the node, with the token unless told otherwise.</summary>
    private async Task<(int ExitCode, string Stdout, string Stderr)> CtlAsync(string? token, params string[] arguments)
    {
        await using var ctl = EngineProcess.Start(["ctl", "--url", baseUrl.Replace("/api/v1", ""), .. arguments],
            new Dictionary<string, string?> { ["RSX_API_TOKEN"] = token });
        return await ctl.WaitForExitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_operate_the_registry_and_the_members_through_ctl_with_tables_json_and_the_api_error_on_failure()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("rsx-ctl-").FullName, "acme.json");
        var config = Connection(sftp.CreateExportDirectory().Path);
        config["connection_id"] = "ctl_acme";
        File.WriteAllText(file, config.ToJsonString());

        var added = await CtlAsync(Token, "connections", "add", file);
        var listed = await CtlAsync(Token, "connections", "list");
        var paused = await CtlAsync(Token, "connections", "pause", "ctl_acme");
        var shown = await CtlAsync(Token, "connections", "show", "ctl_acme", "--json");
        var started = await CtlAsync(Token, "sync", "ctl_acme");
        var members = await CtlAsync(Token, "members");
        var unknown = await CtlAsync(Token, "connections", "show", "nope");
        var refused = await CtlAsync("wrong", "members");

        Assert.Equal((0, "connection ctl_acme saved (revision 1)\n"), (added.ExitCode, added.Stdout));
        Assert.Equal(0, listed.ExitCode);
        Assert.Matches(@"^ID\s+PAUSED\s+SCHEDULE\s+HOST\s+PATH\n", listed.Stdout);
        Assert.Matches($@"\nctl_acme\s+on demand\s+{Regex.Escape(sftp.Host)}\s", listed.Stdout);
        Assert.Equal("connection ctl_acme paused\n", paused.Stdout);
        Assert.True((bool)JsonNode.Parse(shown.Stdout)!["paused"]!);
        Assert.Matches(@"^run [0-9a-f-]{36} of connection ctl_acme started\n$", started.Stdout);
        Assert.Matches(@"^ADDRESS\s+NAME\s+STATUS\s+LEADER\s+REACHABLE\s+UP SINCE\s+CONNECTIONS\s+FILE JOBS\nakka\.tcp://responsys-cluster@127\.0\.0\.1:\d+\s+api\s+Up\s+yes\s+yes\s+\d{4}-\S+\s+1\s+0\n", members.Stdout);
        Assert.Equal((1, "error: connection nope is not registered"), (unknown.ExitCode, unknown.Stderr.Trim()));
        Assert.Equal((2, "error: unauthorized"), (refused.ExitCode, refused.Stderr.Trim()));
    }
}
