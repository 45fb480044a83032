using System.Collections.Concurrent;
using ResponsysCluster.Domain.Configuration;

namespace ResponsysCluster.Engine.Cluster;

/// <summary>A registered connection as this node reads it: its settings (secrets resolved here) and whether its schedule is paused.</summary>
public sealed record CatalogEntry(ConnectionConfig Config, bool Paused, long Revision);

/// <summary>
/// The connections this node knows the settings of, by id: this node's copy of the registry, kept by its
/// <see cref="Registry.ConnectionDirectoryActor"/> and read by the sharded entities and file workers that land here.
/// </summary>
public sealed class ConnectionCatalog
{
    private readonly ConcurrentDictionary<string, CatalogEntry> byId = new(StringComparer.Ordinal);

    public IReadOnlyCollection<CatalogEntry> All => [.. byId.Values];

    public CatalogEntry? Entry(string connectionId) => byId.GetValueOrDefault(connectionId);

    public ConnectionConfig? Find(string connectionId) => Entry(connectionId)?.Config;

    public void Set(CatalogEntry entry) => byId[entry.Config.ConnectionId] = entry;

    public void Remove(string connectionId) => byId.TryRemove(connectionId, out _);
}
