using ResponsysCluster.Domain.Configuration;

namespace ResponsysCluster.Node.Hosting;

/// <summary>
/// The connection configs a node runs: the one <c>--config</c> names and every <c>*.json</c> in the
/// <c>--connections</c> directory (or <c>RSX_CONNECTIONS</c>), in file-name order.
/// </summary>
public static class ConnectionFiles
{
    public const string DirectoryVariable = "RSX_CONNECTIONS";

    /// <summary>
    /// Reads and checks them; a file that cannot be used is a <see cref="ConfigException"/> whose message names the
    /// file (and the key), as is a <c>connection_id</c> that two files give.
    /// </summary>
    public static async Task<IReadOnlyList<ConnectionConfig>> ReadAsync(string? configPath, string? directory, string homeDirectory,
        CancellationToken cancellationToken)
    {
        var paths = new List<string>();
        if (!string.IsNullOrWhiteSpace(configPath)) paths.Add(configPath);
        if (!string.IsNullOrWhiteSpace(directory))
        {
            if (!Directory.Exists(directory))
                throw new ConfigException("--connections", $"the connections directory '{directory}' does not exist");
            var files = Directory.GetFiles(directory, "*.json").Order(StringComparer.Ordinal).ToList();
            if (files.Count == 0) throw new ConfigException("--connections", $"the connections directory '{directory}' holds no *.json file");
            paths.AddRange(files);
        }
        if (paths.Count == 0)
            throw new ConfigException("--config", $"give --config FILE, or --connections DIR (or set {DirectoryVariable})");

        var read = new List<(string Path, ConnectionConfig Config)>();
        foreach (var path in paths)
        {
            var config = await ReadOneAsync(path, homeDirectory, cancellationToken).ConfigureAwait(false);
            if (read.Find(r => r.Config.ConnectionId == config.ConnectionId) is { Path: { } first })
                throw new ConfigException("connection_id", $"'{config.ConnectionId}' is given by both {first} and {path}");
            read.Add((path, config));
        }
        return read.Select(r => r.Config).ToList();
    }

    private static async Task<ConnectionConfig> ReadOneAsync(string path, string homeDirectory, CancellationToken cancellationToken)
    {
        if (!File.Exists(path)) throw new ConfigException("(file)", $"the config file '{path}' does not exist");
        try
        {
            return ConnectionConfigParser.Parse(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false), homeDirectory).Config;
        }
        catch (ConfigException ex)
        {
            throw new ConfigException(ex.Key, $"{ex.Reason} (in {path})");
        }
    }
}
