using System.Globalization;

using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Engine.Files;
using ResponsysCluster.Postgres;

namespace ResponsysCluster.Node.Hosting;

/// <summary>A node flag (or its environment variable) holds a value that cannot be used; the message names both.</summary>
public sealed class NodeFlagException(string message) : Exception(message);

/// <summary>A host and a TCP port, as the node's flags write them: <c>host:port</c>.</summary>
public sealed record HostPort(string Host, int Port)
{
    public override string ToString() => $"{Host}:{Port}";
}

/// <summary>The node's flags as given on the command line; null where a flag was not given.</summary>
public sealed record NodeFlags(
    string? Host = null, string? Port = null, string? PublicHost = null, string? Seeds = null, string? Name = null, string? Http = null);

/// <summary>
/// Where a node listens and which cluster it joins: each setting from its flag, else its environment variable, else
/// its default, so that one image runs every node.
/// </summary>
/// <param name="Host">The address the node's cluster transport binds to.</param>
/// <param name="Port">The cluster transport's port; 0 takes any free one.</param>
/// <param name="PublicHost">The host name other nodes reach this one by (behind NAT or in a container).</param>
/// <param name="Seeds">The nodes contacted to join; none: the node forms a cluster of its own.</param>
/// <param name="Name">Shown in logs and in the Application Name of the node's PostgreSQL sessions.</param>
/// <param name="Http">The listener of the health endpoints; port 0 takes any free one.</param>
/// <param name="Workers">File workers on this node (<c>RSX_NODE_WORKERS</c>): files it loads at once, whatever the number of connections.</param>
/// <param name="DbConnections">The node's PostgreSQL budget for loading (<c>RSX_NODE_DB_CONNECTIONS</c>): the sessions its loads and runs share.</param>
/// <param name="BatchFiles">Small files of one table a worker loads in one transaction (<c>RSX_NODE_BATCH_FILES</c>; 1: none batched).</param>
/// <param name="ApiToken">The bearer token of the management API (<c>RSX_API_TOKEN</c>); none: the API is served on a loopback listener only.</param>
public sealed record NodeSettings(string Host, int Port, string PublicHost, IReadOnlyList<HostPort> Seeds, string Name, HostPort Http,
    int Workers = NodeSettings.DefaultWorkers, int DbConnections = NodeSettings.DefaultDbConnections, int BatchFiles = FileWorkerActor.DefaultBatchFiles,
    Secret? ApiToken = null)
{
    public const string HostVariable = "RSX_NODE_HOST";
    public const string PortVariable = "RSX_NODE_PORT";
    public const string PublicHostVariable = "RSX_PUBLIC_HOST";
    public const string SeedsVariable = "RSX_SEEDS";
    public const string NameVariable = "RSX_NODE_NAME";
    public const string HttpVariable = "RSX_HTTP";
    public const string WorkersVariable = "RSX_NODE_WORKERS";
    public const string DbConnectionsVariable = "RSX_NODE_DB_CONNECTIONS";
    public const string BatchFilesVariable = "RSX_NODE_BATCH_FILES";
    public const string ApiTokenVariable = "RSX_API_TOKEN";

    public const string DefaultHost = "127.0.0.1";
    public const int DefaultPort = 4053;
    public const int DefaultWorkers = 4;
    public const int DefaultDbConnections = 4;
    public static readonly HostPort DefaultHttp = new("127.0.0.1", 8558);

    /// <summary>The settings from <paramref name="flags"/> and <paramref name="environment"/>; a wrong value is a <see cref="NodeFlagException"/> naming its flag and variable.</summary>
    public static NodeSettings Resolve(NodeFlags flags, Func<string, string?> environment)
    {
        string? Given(string? flag, string variable) =>
            !string.IsNullOrWhiteSpace(flag) ? flag.Trim()
            : environment(variable) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim()
            : null;

        var host = Given(flags.Host, HostVariable) ?? DefaultHost;
        var port = Given(flags.Port, PortVariable) is { } portText ? ParsePort(portText, "--port", PortVariable, allowAny: true) : DefaultPort;
        var publicHost = Given(flags.PublicHost, PublicHostVariable) ?? host;
        var seeds = Given(flags.Seeds, SeedsVariable) is { } seedsText
            ? seedsText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(seed => ParseHostPort(seed, "--seeds", SeedsVariable, allowAnyPort: false)).ToList()
            : [];
        var name = Given(flags.Name, NameVariable) ?? $"{publicHost}:{port}";
        var http = Given(flags.Http, HttpVariable) is { } httpText ? ParseHostPort(httpText, "--http", HttpVariable, allowAnyPort: true) : DefaultHttp;
        var workers = Given(null, WorkersVariable) is { } workersText ? ParseCount(workersText, WorkersVariable, 1) : DefaultWorkers;
        var dbConnections = Given(null, DbConnectionsVariable) is { } budgetText
            ? ParseCount(budgetText, DbConnectionsVariable, DatabaseBudget.Minimum)
            : DefaultDbConnections;
        var batchFiles = Given(null, BatchFilesVariable) is { } batchText ? ParseCount(batchText, BatchFilesVariable, 1) : FileWorkerActor.DefaultBatchFiles;
        var token = Given(null, ApiTokenVariable) is { } tokenText ? new Secret(tokenText) : null;
        return new NodeSettings(host, port, publicHost, seeds, name, http, workers, dbConnections, batchFiles, token);
    }

    private static int ParseCount(string text, string variable, int lowest)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= lowest && count <= 1000) return count;
        throw new NodeFlagException($"{variable}: '{text}' is not a number from {lowest} to 1000");
    }

    private static HostPort ParseHostPort(string text, string flag, string variable, bool allowAnyPort)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
            throw Wrong(flag, variable, $"'{text}' is not host:port");
        return new HostPort(text[..colon], ParsePort(text[(colon + 1)..], flag, variable, allowAnyPort));
    }

    private static int ParsePort(string text, string flag, string variable, bool allowAny)
    {
        var lowest = allowAny ? 0 : 1;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port >= lowest && port <= 65535) return port;
        throw Wrong(flag, variable, $"port '{text}' is not a number from {lowest} to 65535");
    }

    private static NodeFlagException Wrong(string flag, string variable, string problem) => new($"{flag} ({variable}): {problem}");
}
