using System.Text;
using System.Text.Json.Nodes;
using ResponsysCluster.Node.Commands;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Singer.Tests;

/// <summary>Runs the tap command in-process against the real sshd and parses what it writes.</summary>
internal sealed class TapHarness(SftpServer server, ExportDirectory exports)
{
    private readonly string workDirectory = Directory.CreateTempSubdirectory("rsx-tap-").FullName;

    public JsonObject Config { get; } = new()
    {
        ["host"] = server.Host,
        ["port"] = server.Port.ToString(),
        ["username"] = server.User,
        ["path"] = exports.Path,
        ["private_key_file"] = server.KeyPath("ed25519"),
        ["start_date"] = "2018-01-01T00:00:00Z",
    };

    /// <summary>Runs sync with <c>--validate-first</c>.</summary>
    public bool ValidateFirst { get; set; }

    public async Task<TapRun> DiscoverAsync() => await RunAsync(discover: true, catalog: null, state: null);

    public async Task<TapRun> SyncAsync(JsonObject catalog, JsonObject? state = null) => await RunAsync(discover: false, catalog, state);

    /// <summary>Discovers, selects the named streams (all when none named) and returns the catalog.</summary>
    public async Task<JsonObject> SelectedCatalogAsync(params string[] streams)
    {
        var discovery = await DiscoverAsync();
        Assert.True(discovery.ExitCode == 0, discovery.Log);
        var catalog = discovery.Catalog;
        foreach (var stream in catalog["streams"]!.AsArray().OfType<JsonObject>())
        {
            if (streams.Length > 0 && !streams.Contains(stream["tap_stream_id"]!.GetValue<string>())) continue;
            var top = stream["metadata"]!.AsArray().OfType<JsonObject>().Single(m => m["breadcrumb"]!.AsArray().Count == 0);
            top["metadata"]!["selected"] = true;
        }
        return catalog;
    }

    private async Task<TapRun> RunAsync(bool discover, JsonObject? catalog, JsonObject? state)
    {
        var configPath = Write("config.json", Config);
        var catalogPath = catalog is null ? null : Write("catalog.json", catalog);
        var statePath = state is null ? null : Write("state.json", state);
        var logs = new CapturingLoggerFactory();
        using var stdout = new MemoryStream();
        var exitCode = await new TapCommand(logs, TimeProvider.System)
            .RunAsync(new TapArguments(configPath, discover, catalogPath, statePath, ValidateFirst), stdout, CancellationToken.None);
        return new TapRun(exitCode, Encoding.UTF8.GetString(stdout.ToArray()), logs.Text);
    }

    private string Write(string name, JsonObject json)
    {
        var path = Path.Combine(workDirectory, name);
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }
}

/// <summary>What one tap run wrote: exit code, stdout and the log (stderr).</summary>
internal sealed record TapRun(int ExitCode, string Stdout, string Log)
{
    public JsonObject Catalog => JsonNode.Parse(Stdout)!.AsObject();

    public List<JsonObject> Messages =>
        Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!.AsObject()).ToList();

    public IReadOnlyList<JsonObject> Records(string stream) => Messages
        .Where(m => m["type"]!.GetValue<string>() == "RECORD" && m["stream"]!.GetValue<string>() == stream)
        .Select(m => m["record"]!.AsObject()).ToList();

    public IReadOnlyList<JsonObject> AllRecords => Messages.Where(m => m["type"]!.GetValue<string>() == "RECORD").ToList();

    public IReadOnlyList<JsonObject> States => Messages.Where(m => m["type"]!.GetValue<string>() == "STATE")
        .Select(m => m["value"]!.AsObject()).ToList();

    public JsonObject FinalState => States[^1];

    public IReadOnlyList<string> SourceFiles(string stream) =>
        Records(stream).Select(r => r["_sdc_source_file"]!.GetValue<string>()).Distinct().ToList();
}
