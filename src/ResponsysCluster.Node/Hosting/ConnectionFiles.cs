using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Registry;

namespace ResponsysCluster.Node.Hosting;

/// <summary>One connection file: where it is, its JSON as written, and its settings as read here.</summary>
public sealed record ConnectionFile(string Path, string Json, ConnectionConfig Config);

/// <summary>
/// The connection configs a command runs: the one <c>--config</c> names and, for a node, every <c>*.json</c> in the
/// <c>--connections</c> directory (or <c>RSX_CONNECTIONS</c>), in file-name order.
/// </summary>
public static class ConnectionFiles
{
    public const string DirectoryVariable = "RSX_CONNECTIONS";

    /// <summary>
    /// Reads and checks them; a file that cannot be used is a <see cref="ConfigException"/> whose message names the
    /// file (and the key), as is a <c>connection_id</c> that two files give. Files for the <paramref name="registry"/>
    /// (a node's) keep their secrets by reference only, and may be none: the registry has the cluster's connections.
    /// </summary>
    public static async Task<IReadOnlyList<ConnectionFile>> ReadAsync(string? configPath, string? directory, string homeDirectory,
        CancellationToken cancellationToken, bool registry = false)
    {
        var paths = new List<string>();
        if (!string.IsNullOrWhiteSpace(configPath)) paths.Add(configPath);
        if (!string.IsNullOrWhiteSpace(directory))
        {
            if (!Directory.Exists(directory))
                throw new ConfigException("--connections", $"the connections directory '{directory}' does not exist");
            var files = Directory.GetFiles(directory, "*.json").Order(StringComparer.Ordinal).ToList();
            if (files.Count == 0 && !registry) throw new ConfigException("--connections", $"the connections directory '{directory}' holds no *.json file");
            paths.AddRange(files);
        }
        if (paths.Count == 0 && !registry)
            throw new ConfigException("--config", $"give --config FILE, or --connections DIR (or set {DirectoryVariable})");

        var read = new List<ConnectionFile>();
        foreach (var path in paths)
        {
            var file = await ReadOneAsync(path, homeDirectory, registry, cancellationToken).ConfigureAwait(false);
            if (read.Find(r => r.Config.ConnectionId == file.Config.ConnectionId) is { Path: { } first })
                throw new ConfigException("connection_id", $"'{file.Config.ConnectionId}' is given by both {first} and {path}");
            read.Add(file);
        }
        return read;
    }

    private static async Task<ConnectionFile> ReadOneAsync(string path, string homeDirectory, bool registry, CancellationToken cancellationToken)
    {
        if (!File.Exists(path)) throw new ConfigException("(file)", $"the config file '{path}' does not exist");
        try
        {
            var json = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
            var parsed = registry ? RegistryDocument.Parse(json, homeDirectory) : ConnectionConfigParser.Parse(json, homeDirectory);
            return new ConnectionFile(path, json, parsed.Config);
        }
        catch (ConfigException ex)
        {
            throw new ConfigException(ex.Key, $"{ex.Reason} (in {path})");
        }
    }
}
