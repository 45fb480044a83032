using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Hosting;
using Microsoft.Extensions.Logging;
using ResponsysCluster.Domain.Ports;
using ResponsysCluster.Engine.Bookmarks;
using ResponsysCluster.Engine.Files;
using ResponsysCluster.Engine.Hosting;
using ResponsysCluster.Engine.Runs;

namespace ResponsysCluster.Engine.Cluster;

/// <summary>
/// The engine on a cluster member: a scheduler per connection and a bookmark per table as sharded entities (each
/// alive on one node, moving when nodes join or leave; schedulers remembered in the journal, so that schedules keep
/// ticking after a rebalance or a full restart), and this node's file workers, which pull the jobs of runs on any node.
/// </summary>
public static class ClusterEngineHosting
{
    public const string SchedulerTypeName = "connection-scheduler";
    public const string BookmarkTypeName = "table-bookmark";

    public static AkkaConfigurationBuilder AddClusterEngine(this AkkaConfigurationBuilder builder, ConnectionCatalog catalog, int workers)
    {
        // Chosen once: changing the state-store mode of an existing type name strands its remembered entities.
        var bookmarkShards = new ShardOptions { StateStoreMode = StateStoreMode.Persistence, RememberEntities = false };
        var schedulerShards = new ShardOptions
        {
            StateStoreMode = StateStoreMode.Persistence, RememberEntities = true, RememberEntitiesStore = RememberEntitiesStore.Eventsourced,
        };
        var loads = new ConcurrentDictionary<string, FileLoadService>(StringComparer.Ordinal);
        return builder
            .WithDistributedPubSub(role: "")
            // The workers and the announcer first: remembered schedulers may start as soon as their shards do.
            .WithActors((system, registry, resolver) =>
            {
                EngineHosting.StartPersistence(system);
                var ports = resolver.GetService<IConnectionPortsFactory>();
                FileLoadService? LoadsOf(string connectionId) => catalog.Find(connectionId) is { } config
                    ? loads.GetOrAdd(connectionId, _ => new FileLoadService(ports.For(config)))
                    : null;
                var pool = system.ActorOf(FileWorkerPoolActor.Props(workers, LoadsOf), "file-workers");
                var mediator = DistributedPubSub.Get(system).Mediator;
                mediator.Tell(new Subscribe(FileWorkAnnouncerActor.Topic, pool));
                registry.Register<FileWorkAnnouncerActor>(system.ActorOf(FileWorkAnnouncerActor.Props(mediator), "file-work-announcer"));
            })
            .WithShardRegion<TableBookmarkActor>(BookmarkTypeName, entityId =>
            {
                var (connectionId, table) = ShardedEntityIds.BookmarkOf(entityId);
                return TableBookmarkActor.Props(connectionId, table, catalog.Find(connectionId)?.StartDate);
            }, ShardedEntityIds.Bookmarks, bookmarkShards)
            .WithShardRegion<ConnectionSchedulerActor>(SchedulerTypeName, (_, registry, resolver) =>
            {
                var ports = resolver.GetService<IConnectionPortsFactory>();
                var loggerFactory = resolver.GetService<ILoggerFactory>();
                return connectionId => catalog.Find(connectionId) is { } config
                    ? ConnectionSchedulerActor.Props(config, ports.For(config), registry.Get<TableBookmarkActor>(), registry.Get<FileWorkAnnouncerActor>(),
                        loggerFactory, TimeProvider.System)
                    : UnknownConnectionActor.Props(connectionId, loggerFactory.CreateLogger("cluster"));
            }, ShardedEntityIds.Schedulers, schedulerShards)
            // Every node starts the schedulers of the connections it was given; starting one already alive does nothing.
            .WithActors((_, registry) =>
            {
                var schedulers = registry.Get<ConnectionSchedulerActor>();
                foreach (var config in catalog.All) schedulers.Tell(new ShardRegion.StartEntity(config.ConnectionId));
            });
    }
}
