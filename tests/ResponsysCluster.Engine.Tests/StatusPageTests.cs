using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Npgsql;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// The status page of a real node process (its own database, the real sshd), loaded in headless chromium after a
/// connection added through the API has loaded its file: what the page shows, a screenshot of it, and no secret; and
/// its answer when PostgreSQL hangs (the node reaches it through a proxy that can stall).
/// </summary>
[Collection(ServersCollection.Name)]
public sealed partial class StatusPageTests(SftpServer sftp, PostgresServer postgres) : IAsyncLifetime
{
    private const int TestTimeout = 240_000;
    private const string Token = "status-page-token-that-stays-secret";
    private const string PasswordVariable = "RSX_STATUS_SFTP_PASSWORD";
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);
    private static readonly DateTimeOffset Exported = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);

    private ClusterDatabase database = null!;
    private StallingProxy postgresProxy = null!;
    private ApiNode api = null!;

    private HttpClient http => api.Http;

    private string pageUrl => api.Url + "/";

    public async Task InitializeAsync()
    {
        database = await ClusterDatabase.CreateAsync(postgres.ConnectionString);
        var direct = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        postgresProxy = new StallingProxy(direct.Port);
        var proxied = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Host = "127.0.0.1", Port = postgresProxy.Port }.ConnectionString;
        api = await ApiNode.StartAsync(proxied, "status", Token, new Dictionary<string, string?> { [PasswordVariable] = sftp.Password });
    }

    public async Task DisposeAsync()
    {
        await api.DisposeAsync();
        await postgresProxy.DisposeAsync();
        await database.DisposeAsync();
    }

    /// <summary>Adds connection <paramref name="id"/> (its password by reference) with a file of three rows, and waits for its first run to end.</summary>
    private async Task<ExportDirectory> AddLoadedConnectionAsync(string id)
    {
        var exports = sftp.CreateExportDirectory();
        exports.Write("LIST_20180911.csv", "ID\n1\n2\n3\n", Exported);
        exports.WriteReady("LIST_20180911.csv", "3", Exported);
        var config = new JsonObject
        {
            ["host"] = sftp.Host, ["port"] = sftp.Port, ["username"] = sftp.User, ["path"] = exports.Path, ["password_env"] = PasswordVariable,
            ["start_date"] = "2018-01-01T00:00:00Z", ["schedule"] = new JsonObject { ["every"] = "1h" },
        };
        using (var put = await http.PutAsync($"{pageUrl}api/v1/connections/{id}", new StringContent(config.ToJsonString())))
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        // An interval schedule runs at once.
        var deadline = DateTime.UtcNow + StartLimit;
        while (true)
        {
            var runs = JsonNode.Parse(await http.GetStringAsync($"{pageUrl}api/v1/connections/{id}/runs?limit=1"))!.AsArray();
            if (runs.Count == 1 && (string)runs[0]!["status"]! != "running") return exports;
            Assert.True(DateTime.UtcNow < deadline, $"the first run of {id} did not end within 60 s");
            await Task.Delay(300);
        }
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_show_the_member_the_connection_s_last_run_and_its_table_s_rows_and_lag_in_a_browser_and_save_a_screenshot()
    {
        var exports = await AddLoadedConnectionAsync("status_c1");

        var before = DateTimeOffset.UtcNow;
        var dom = await HeadlessChromium.DumpDomAsync(pageUrl);
        var after = DateTimeOffset.UtcNow;
        var screenshot = RepositoryRoot.Combine("artifacts", "status-page.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        File.Delete(screenshot);
        await HeadlessChromium.ScreenshotAsync(pageUrl, screenshot);

        var member = Assert.Single(StatusPageDom.Rows(dom, "members"));
        Assert.StartsWith("akka.tcp://responsys-cluster@127.0.0.1:", member["address"]);
        Assert.Equal(("status", "Up", "yes", "yes"), (member["name"], member["status"], member["leader"], member["reachable"]));
        var connection = Assert.Single(StatusPageDom.Rows(dom, "connections"));
        Assert.Equal(("status_c1", "active", "succeeded", "3", "none"),
            (connection["id"], connection["schedule"], connection["run"], connection["rows"], connection["errors"]));
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$", connection["ended"]);
        var table = Assert.Single(StatusPageDom.Rows(dom, "tables"));
        Assert.Equal(("status_c1", "LIST", "1", "3", exports.PathOf("LIST_20180911.csv"), "2018-09-11 09:00:00Z"),
            (table["connection"], table["table"], table["files"], table["rows"], table["last-file"], table["newest-modified"]));
        var lag = Regex.Match(table["lag"], @"^(?<days>\d+) d \d\d h$");
        Assert.True(lag.Success, $"lag '{table["lag"]}' is not in days and hours");
        Assert.InRange(int.Parse(lag.Groups["days"].Value, System.Globalization.CultureInfo.InvariantCulture),
            (before - Exported).Days, (after - Exported).Days);
        Assert.Empty(StatusPageDom.Unread(dom));
        var png = await File.ReadAllBytesAsync(screenshot);
        Assert.True(png.Length > 1000, $"the screenshot {screenshot} holds {png.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_serve_the_page_without_the_token_showing_neither_the_token_nor_a_connection_s_password()
    {
        await AddLoadedConnectionAsync("status_secret");
        using var anonymous = new HttpClient();

        using var page = await anonymous.GetAsync(pageUrl);
        var html = await page.Content.ReadAsStringAsync();
        var dom = await HeadlessChromium.DumpDomAsync(pageUrl);
        using var api = await anonymous.GetAsync(pageUrl + "api/v1/connections");

        Assert.Equal((HttpStatusCode.OK, "text/html"), (page.StatusCode, page.Content.Headers.ContentType?.MediaType));
        Assert.Equal("10", Regex.Match(html, @"<meta http-equiv=""refresh"" content=""(\d+)"">").Groups[1].Value);
        Assert.Contains("status_secret", dom);
        foreach (var secret in new[] { Token, sftp.Password })
        {
            Assert.DoesNotContain(secret, html);
            Assert.DoesNotContain(secret, dom);
        }
        Assert.DoesNotContain(PasswordVariable, html);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_answer_within_seconds_when_PostgreSQL_hangs_with_the_members_and_a_line_for_each_part_not_read()
    {
        await AddLoadedConnectionAsync("status_hung");
        postgresProxy.Stall();
        using var anonymous = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        var clock = Stopwatch.StartNew();
        var html = await anonymous.GetStringAsync(pageUrl);
        clock.Stop();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6), $"the page took {clock.Elapsed} with PostgreSQL hung");
        Assert.Equal(
            ["Not shown: PostgreSQL (the connections' last runs) did not answer within 3 s.", "Not shown: PostgreSQL (the tables loaded) did not answer within 3 s."],
            StatusPageDom.Unread(html));
        Assert.Equal("Up", Assert.Single(StatusPageDom.Rows(html, "members"))["status"]);
        var connection = Assert.Single(StatusPageDom.Rows(html, "connections"));
        Assert.Equal(("status_hung", "unknown"), (connection["id"], connection["run"]));
    }
}
