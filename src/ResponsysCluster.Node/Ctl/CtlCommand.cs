using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ResponsysCluster.Domain.Configuration;

namespace ResponsysCluster.Node.Ctl;

/// <summary>Where <c>ctl</c> talks to and how it prints.</summary>
public sealed record CtlOptions(Uri Url, string? Token, bool Json);

/// <summary>
/// <c>responsys-cluster ctl</c>: the operator's commands over a node's management API. Aligned tables on a
/// terminal, the API's JSON with <c>--json</c>; a refused request exits non-zero with the API's error text.
/// </summary>
public sealed partial class CtlCommand(CtlOptions options, TextWriter output, TextWriter errors)
{
    public const string UrlVariable = "RSX_URL";
    public const string DefaultUrl = "http://127.0.0.1:8558";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public Task<int> MembersAsync(CancellationToken cancellationToken) => RunAsync(async api =>
    {
        var members = await api.GetAsync("cluster/members", cancellationToken);
        Print(members, () => TextTable.Render(["ADDRESS", "NAME", "STATUS", "LEADER", "REACHABLE", "UP SINCE", "CONNECTIONS", "FILE JOBS"],
            members!.AsArray().Select(m => (IReadOnlyList<string>)[Text(m, "address"), Text(m, "name"), Text(m, "status"),
                Text(m, "leader") == "true" ? "yes" : "", Text(m, "reachable") == "true" ? "yes" : "no", Text(m, "up_since"),
                m!["connections"] is JsonArray held ? held.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?",
                m["file_jobs"] is { } jobs ? jobs.ToJsonString() : "?"])));
    });

    public Task<int> LeaveAsync(string address, CancellationToken cancellationToken) => MemberActionAsync(address, "leave", cancellationToken);

    public Task<int> DownAsync(string address, CancellationToken cancellationToken) => MemberActionAsync(address, "down", cancellationToken);

    public Task<int> ListConnectionsAsync(CancellationToken cancellationToken) => RunAsync(async api =>
    {
        var connections = await api.GetAsync("connections", cancellationToken);
        Print(connections, () => TextTable.Render(["ID", "PAUSED", "SCHEDULE", "HOST", "PATH"],
            connections!.AsArray().Select(c => (IReadOnlyList<string>)[Text(c, "id"), Text(c, "paused") == "true" ? "yes" : "",
                c!["config"]?["schedule"]?.ToJsonString() ?? "on demand", Text(c["config"], "host"), Text(c["config"], "path")])));
    });

    public Task<int> ShowConnectionAsync(string id, CancellationToken cancellationToken) => RunAsync(async api =>
    {
        var connection = await api.GetAsync("connections/" + Uri.EscapeDataString(id), cancellationToken);
        Print(connection, () => connection!.ToJsonString(Indented) + "\n");
    });

    /// <summary>Adds (or replaces) the connection a file holds, under its <c>connection_id</c> or the id its login derives.</summary>
    public Task<int> AddConnectionAsync(string file, CancellationToken cancellationToken) => RunAsync(async api =>
    {
        if (!File.Exists(file)) throw new ApiException($"the file '{file}' does not exist");
        var json = await File.ReadAllTextAsync(file, cancellationToken);
        var id = IdOf(json, file);
        var saved = await api.PutAsync("connections/" + Uri.EscapeDataString(id), json, cancellationToken);
        Print(saved, () => $"connection {id} saved (revision {Text(saved, "revision")})\n");
    });

    public Task<int> RemoveConnectionAsync(string id, CancellationToken cancellationToken) => RunAsync(async api =>
    {
        await api.DeleteAsync("connections/" + Uri.EscapeDataString(id), cancellationToken);
        Print(new JsonObject { ["id"] = id, ["removed"] = true }, () => $"connection {id} removed\n");
    });

    /// <summary>Tests a registered connection, or the connection a file holds when <paramref name="idOrFile"/> names one (nothing is saved).</summary>
    public Task<int> TestConnectionAsync(string idOrFile, CancellationToken cancellationToken) => RunAsync(async api =>
    {
        var answer = File.Exists(idOrFile)
            ? await api.PostAsync("connections/test", await File.ReadAllTextAsync(idOrFile, cancellationToken), cancellationToken)
            : await api.PostAsync($"connections/{Uri.EscapeDataString(idOrFile)}/test", null, cancellationToken);
        var ok = answer?["ok"]?.GetValue<bool>() == true;
        Print(answer, () => ok
            ? $"connection {Text(answer, "connection_id")}: ok\nhost key: {Text(answer, "host_key_fingerprint")}\n" +
              $"tables: {string.Join(", ", answer!["tables"]!.AsArray().Select(t => (string)t!))}\n" +
              (answer["tables_without_ready_files"]!.AsArray().Count > 0
                  ? $"without a ready file: {string.Join(", ", answer["tables_without_ready_files"]!.AsArray().Select(t => (string)t!))}\n" : "")
            : "");
        if (!ok) throw new CommandFailedException(Text(answer, "error"));
    });

    public Task<int> PauseAsync(string id, CancellationToken cancellationToken) => ConnectionActionAsync(id, "pause", "paused", cancellationToken);

    public Task<int> ResumeAsync(string id, CancellationToken cancellationToken) => ConnectionActionAsync(id, "resume", "resumed", cancellationToken);

    private Task<int> MemberActionAsync(string address, string action, CancellationToken cancellationToken) => RunAsync(async api =>
    {
        var answer = await api.PostAsync($"cluster/members/{Uri.EscapeDataString(address)}/{action}", null, cancellationToken);
        Print(answer, () => $"{Text(answer, "address")}: {Text(answer, "status")}\n");
    });

    private Task<int> ConnectionActionAsync(string id, string action, string done, CancellationToken cancellationToken) => RunAsync(async api =>
    {
        var answer = await api.PostAsync($"connections/{Uri.EscapeDataString(id)}/{action}", null, cancellationToken);
        Print(answer, () => $"connection {id} {done}\n");
    });

    private async Task<int> RunAsync(Func<ApiClient, Task> command)
    {
        using var api = new ApiClient(options.Url, options.Token);
        try
        {
            await command(api);
            return ExitCodes.Success;
        }
        catch (ApiException ex)
        {
            await errors.WriteLineAsync($"error: {ex.Message}");
            return ex.Status switch
            {
                HttpStatusCode.Conflict => ExitCodes.AnotherRunInProgress,
                null or HttpStatusCode.Unauthorized => ExitCodes.ConfigurationOrConnection,
                _ => ExitCodes.Failure,
            };
        }
        catch (CommandFailedException ex)
        {
            await errors.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.Failure;
        }
    }

    private void Print(JsonNode? answer, Func<string> forTerminal) =>
        output.Write(options.Json ? (answer?.ToJsonString(Indented) ?? "null") + "\n" : forTerminal());

    private static string Text(JsonNode? node, string key) => node?[key] is { } value
        ? value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString()
        : "";

    private static string IdOf(string json, string file)
    {
        try
        {
            if (JsonNode.Parse(json) is not JsonObject config) throw new ApiException($"{file}: the configuration must be a JSON object");
            if (config["connection_id"]?.GetValue<string>() is { Length: > 0 } id) return id;
            var port = config["port"] is { } p ? int.Parse(p.ToString(), System.Globalization.CultureInfo.InvariantCulture) : 22;
            return ConnectionIds.Derive(Text(config, "username"), Text(config, "host"), port, Text(config, "path").TrimEnd('/') is { Length: > 0 } path ? path : "/");
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            throw new ApiException($"{file}: not a connection config ({ex.Message})");
        }
    }
}
