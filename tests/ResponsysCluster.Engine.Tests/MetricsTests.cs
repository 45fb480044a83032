using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// <c>GET /api/v1/metrics</c> of a real node process (its own database, the real sshd): the token, Prometheus's
/// text format, and the series a run moves, read before and after it.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed partial class MetricsTests(SftpServer sftp, PostgresServer postgres) : IAsyncLifetime
{
    private const int TestTimeout = 180_000;
    private const string Token = "metrics-token-that-stays-secret";
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);

    private ClusterDatabase database = null!;
    private ApiNode api = null!;

    private HttpClient http => api.Http;


    private string baseUrl => api.ApiUrl;

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""(?<name>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(?:[^"\\]|\\.)*)",?""")]
    private static partial Regex Label();

    public async Task InitializeAsync()
    {
        database = await ClusterDatabase.CreateAsync(postgres.ConnectionString);
        api = await ApiNode.StartAsync(database.ConnectionString, "metrics", Token);
    }

    public async Task DisposeAsync()
    {
        await api.DisposeAsync();
        await database.DisposeAsync();
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_refuse_a_scrape_without_the_token()
    {
        using var anonymous = new HttpClient();
        using var response = await anonymous.GetAsync(baseUrl + "/metrics");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("""{"error":"unauthorized"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_answer_in_prometheus_text_format_with_the_node_as_one_up_member_and_no_file_job_loading()
    {
        using var response = await http.GetAsync(baseUrl + "/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Content.Headers.ContentType!.Parameters, p => p.Name == "version" && p.Value == "0.0.4");
        Assert.Contains("# TYPE responsys_cluster_members gauge\n", text);
        var samples = Parse(text);
        Assert.Equal(1, Value(samples, "responsys_cluster_members", ("status", "Up")));
        Assert.Equal(0, Value(samples, "responsys_cluster_members", ("status", "Leaving")));
        Assert.Equal(0, Value(samples, "responsys_file_jobs_in_flight"));
        // Npgsql's own meter: the node's pool, its sessions in use.
        Assert.NotNull(Value(samples, "db_client_connection_count", ("db_client_connection_state", "used")));
        Assert.DoesNotContain(Token, text);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_count_the_rows_bytes_and_file_a_run_loads_under_its_connection_and_table_and_time_the_run()
    {
        var exports = sftp.CreateExportDirectory();
        // The ready file came 5 minutes ago, its data file a minute before it: the lag runs from the ready file.
        var ready = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 300);
        const string content = "ID,NAME\n1,a\n2,b\n3,c\n";
        exports.Write("LIST_20180911.csv", content, ready.AddMinutes(-1));
        exports.WriteReady("LIST_20180911.csv", "3", ready);
        var series = (Connection: ("connection_id", "metrics_load"), Table: ("table", "LIST"));
        var before = Parse(await ScrapeAsync());

        await RunAsync("metrics_load", exports.Path);
        var after = await ScrapeUntilAsync("responsys_files_loaded_total", series.Connection, series.Table);

        Assert.Null(Value(before, "responsys_rows_loaded_total", series.Connection, series.Table));
        Assert.Null(Value(before, "responsys_files_loaded_total", series.Connection, series.Table));
        Assert.Equal(3, Value(after, "responsys_rows_loaded_total", series.Connection, series.Table));
        Assert.Equal(1, Value(after, "responsys_files_loaded_total", series.Connection, series.Table));
        Assert.Equal(Encoding.UTF8.GetByteCount(content), Value(after, "responsys_loaded_bytes_total", series.Connection, series.Table));
        Assert.Null(Value(after, "responsys_files_failed_total", series.Connection, series.Table));
        Assert.Equal(1, Value(after, "responsys_file_commit_lag_seconds_count", series.Connection, series.Table));
        Assert.InRange(Value(after, "responsys_file_commit_lag_seconds_sum", series.Connection, series.Table)!.Value, 300, 360);
        Assert.True(Value(after, "responsys_run_duration_seconds_count", series.Connection) >= 1);
        Assert.Equal(0, Value(after, "responsys_file_jobs_in_flight"));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_count_a_file_whose_ready_count_does_not_match_as_failed_and_load_no_row_of_it()
    {
        var exports = sftp.CreateExportDirectory();
        var at = new DateTimeOffset(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);
        exports.Write("LIST_20180911.csv", "ID\n1\n2\n", at);
        exports.WriteReady("LIST_20180911.csv", "5", at);
        var series = (Connection: ("connection_id", "metrics_fail"), Table: ("table", "LIST"));
        var before = Parse(await ScrapeAsync());

        await RunAsync("metrics_fail", exports.Path);
        var after = await ScrapeUntilAsync("responsys_files_failed_total", series.Connection, series.Table);

        Assert.Null(Value(before, "responsys_files_failed_total", series.Connection, series.Table));
        Assert.Equal(1, Value(after, "responsys_files_failed_total", series.Connection, series.Table));
        Assert.Null(Value(after, "responsys_files_loaded_total", series.Connection, series.Table));
        Assert.Null(Value(after, "responsys_rows_loaded_total", series.Connection, series.Table));
        Assert.True(Value(after, "responsys_run_duration_seconds_count", series.Connection) >= 1);
    }

    /// <summary>Registers the connection, starts a run of it and waits for the run to end.</summary>
    private async Task RunAsync(string connectionId, string path)
    {
        var config = new JsonObject
        {
            ["host"] = sftp.Host, ["port"] = sftp.Port, ["username"] = sftp.User, ["path"] = path,
            ["private_key_file"] = sftp.KeyPath("ed25519"), ["start_date"] = "2018-01-01T00:00:00Z",
        };
        using (var created = await http.PutAsync($"{baseUrl}/connections/{connectionId}", new StringContent(config.ToJsonString(), Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Guid runId;
        using (var started = await http.PostAsync($"{baseUrl}/connections/{connectionId}/runs", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            runId = Guid.Parse((string)JsonNode.Parse(await started.Content.ReadAsStringAsync())!["run_id"]!);
        }
        var deadline = DateTime.UtcNow + StartLimit;
        while (true)
        {
            using var response = await http.GetAsync($"{baseUrl}/runs/{runId}");
            if (response.StatusCode == HttpStatusCode.OK &&
                (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["run"]!["status"]! != "running") return;
            Assert.True(DateTime.UtcNow < deadline, $"run {runId} did not end");
            await Task.Delay(200);
        }
    }

    private async Task<string> ScrapeAsync()
    {
        using var response = await http.GetAsync(baseUrl + "/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Scrapes until the series shows: the exporter may answer from its cache of the last scrape for a moment.</summary>
    private async Task<IReadOnlyList<Sample>> ScrapeUntilAsync(string name, params (string Name, string Value)[] labels)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var samples = Parse(await ScrapeAsync());
            if (Value(samples, name, labels) is not null || DateTime.UtcNow > deadline) return samples;
            await Task.Delay(200);
        }
    }

    private sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    private static List<Sample> Parse(string text) =>
    [
        .. text.Split('\n').Where(line => line.Length > 0 && !line.StartsWith('#')).Select(line =>
        {
            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"not a sample line of the text format: {line}");
            var labels = Label().Matches(match.Groups["labels"].Value).ToDictionary(l => l.Groups["name"].Value, l => l.Groups["value"].Value);
            return new Sample(match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture));
        }),
    ];

    /// <summary>The value of the one sample of <paramref name="name"/> with these labels; null when there is none.</summary>
    private static double? Value(IEnumerable<Sample> samples, string name, params (string Name, string Value)[] labels) =>
        samples.SingleOrDefault(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Name) == l.Value))?.Value;
}
