using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// A node process with a management API token, started on free ports and waited for until it is ready, with an
/// HTTP client that sends the token. Disposing it kills the process.
/// </summary>
internal sealed partial class ApiNode : IAsyncDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);

    private ApiNode(EngineProcess process, string url, string token)
    {
        Process = process;
        Url = url;
        Http = new HttpClient { Timeout = TimeSpan.FromSeconds(40) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public EngineProcess Process { get; }

    /// <summary>The listener, <c>http://127.0.0.1:PORT</c>.</summary>
    public string Url { get; }

    /// <summary>The API's base, <see cref="Url"/> + <c>/api/v1</c>.</summary>
    public string ApiUrl => Url + "/api/v1";

    /// <summary>A client that sends the token.</summary>
    public HttpClient Http { get; }

    [GeneratedRegex(@"health endpoints on (?<http>http://127\.0\.0\.1:\d+)")]
    private static partial Regex Started();

    /// <summary>Starts <c>node</c> named <paramref name="name"/> on <paramref name="postgres"/>, with <paramref name="environment"/> besides the token.</summary>
    public static async Task<ApiNode> StartAsync(string postgres, string name, string token, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var variables = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>()) { ["RSX_API_TOKEN"] = token };
        var process = EngineProcess.Start(["node", "--postgres", postgres, "--port", "0", "--http", "127.0.0.1:0", "--name", name], variables);
        var node = new ApiNode(process, (await process.WaitForLogAsync(Started(), StartLimit)).Groups["http"].Value, token);
        var deadline = DateTime.UtcNow + StartLimit;
        while ((await node.Http.GetAsync(node.Url + "/health/ready")).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, "the node was not ready within 60 s");
            await Task.Delay(200);
        }
        return node;
    }

    /// <summary>Sends a request to the API (<paramref name="route"/> under <c>/api/v1</c>); the answer is always JSON.</summary>
    public async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpMethod method, string route, string? body = null)
    {
        using var request = new HttpRequestMessage(method, ApiUrl + route);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonNode.Parse(text));
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        Http.Dispose();
    }
}
