using Akka.Cluster.Sharding;
using static ResponsysCluster.Engine.Bookmarks.TableBookmarkProtocol;

namespace ResponsysCluster.Engine.Cluster;

/// <summary>
/// How messages find their sharded entity: a connection's scheduler by the connection id, a table's bookmark by
/// <c>connection|table</c> (a connection id has no <c>|</c>, so the first one splits them again).
/// </summary>
public static class ShardedEntityIds
{
    /// <summary>Enough shards for an even spread over tens of nodes; each shard is one unit of rebalancing.</summary>
    public const int Shards = 100;

    public static string OfBookmark(string connectionId, string table) => $"{connectionId}|{table}";

    public static (string ConnectionId, string Table) BookmarkOf(string entityId)
    {
        var bar = entityId.IndexOf('|');
        return bar > 0 ? (entityId[..bar], entityId[(bar + 1)..]) : throw new ArgumentException($"'{entityId}' is not connection|table", nameof(entityId));
    }

    /// <summary>Table bookmark commands, by the (connection, table) they name.</summary>
    public static IMessageExtractor Bookmarks { get; } =
        HashCodeMessageExtractor.Create(Shards, message => message is ITableBookmarkCommand command ? OfBookmark(command.ConnectionId, command.Table) : null!);

    /// <summary>
    /// Messages to a connection's scheduler: each comes in a <see cref="ShardingEnvelope"/> that names the connection
    /// (unwrapped by the extractor itself, as is <see cref="ShardRegion.StartEntity"/>).
    /// </summary>
    public static IMessageExtractor Schedulers { get; } = HashCodeMessageExtractor.Create(Shards, _ => null!);
}
