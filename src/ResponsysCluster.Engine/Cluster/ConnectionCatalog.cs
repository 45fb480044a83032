using ResponsysCluster.Domain.Configuration;

namespace ResponsysCluster.Engine.Cluster;

/// <summary>
/// The connections this node knows the settings of, by id: a sharded entity or a file job of any of them may land
/// on this node, so every node of a cluster is given the same connections.
/// </summary>
public sealed class ConnectionCatalog(IEnumerable<ConnectionConfig> connections)
{
    private readonly Dictionary<string, ConnectionConfig> byId = connections.ToDictionary(c => c.ConnectionId, StringComparer.Ordinal);

    public IReadOnlyCollection<ConnectionConfig> All => byId.Values;

    public ConnectionConfig? Find(string connectionId) => byId.GetValueOrDefault(connectionId);
}
