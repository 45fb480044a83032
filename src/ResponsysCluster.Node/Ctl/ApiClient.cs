using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace ResponsysCluster.Node.Ctl;

/// <summary>The management API refused a request or could not be reached: the message is the API's error text, or why.</summary>
public sealed class ApiException(string message, HttpStatusCode? status = null) : Exception(message)
{
    public HttpStatusCode? Status { get; } = status;
}

/// <summary>The API answered, but what was asked did not succeed (a failed connection test, a failed run): exit 1 with the reason.</summary>
public sealed class CommandFailedException(string message) : Exception(message);

/// <summary>A node's management API over HTTP, as <c>ctl</c> uses it: JSON answers, the API's error text on failure.</summary>
public sealed class ApiClient(Uri baseUrl, string? token) : IDisposable
{
    private readonly HttpClient http = Create(token);

    public Task<JsonNode?> GetAsync(string route, CancellationToken cancellationToken) => SendAsync(HttpMethod.Get, route, null, cancellationToken);

    public Task<JsonNode?> PostAsync(string route, string? body, CancellationToken cancellationToken) => SendAsync(HttpMethod.Post, route, body, cancellationToken);

    public Task<JsonNode?> PutAsync(string route, string body, CancellationToken cancellationToken) => SendAsync(HttpMethod.Put, route, body, cancellationToken);

    public Task<JsonNode?> DeleteAsync(string route, CancellationToken cancellationToken) => SendAsync(HttpMethod.Delete, route, null, cancellationToken);

    private async Task<JsonNode?> SendAsync(HttpMethod method, string route, string? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(baseUrl, "api/v1/" + route.TrimStart('/')));
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new ApiException($"cannot reach the management API at {baseUrl}: {ex.Message}");
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            JsonNode? answer = null;
            try
            {
                answer = text.Length == 0 ? null : JsonNode.Parse(text);
            }
            catch (System.Text.Json.JsonException)
            {
                // Not the API's answer (another server on that port): said below by the status.
            }
            if (response.IsSuccessStatusCode) return answer;
            var error = answer is JsonObject o && o["error"] is JsonValue v ? v.ToString() : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
            throw new ApiException(error, response.StatusCode);
        }
    }

    public void Dispose() => http.Dispose();

    private static HttpClient Create(string? token)
    {
        var client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        if (!string.IsNullOrEmpty(token)) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
