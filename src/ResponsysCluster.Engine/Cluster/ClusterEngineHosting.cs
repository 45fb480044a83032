using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Hosting;
using Microsoft.Extensions.Logging;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Ports;
using ResponsysCluster.Engine.Bookmarks;
using ResponsysCluster.Engine.Files;
using ResponsysCluster.Engine.Hosting;
using ResponsysCluster.Engine.Registry;
using ResponsysCluster.Engine.Runs;

namespace ResponsysCluster.Engine.Cluster;

/// <summary>
/// The engine on a cluster member: the connection registry (a singleton, event-sourced) and this node's copy of it;
/// a scheduler per connection and a bookmark per table as sharded entities (each alive on one node, moving when
/// nodes join or leave; schedulers remembered in the journal, so that schedules keep ticking after a rebalance or a
/// full restart); and this node's file workers, which pull the jobs of runs on any node.
/// </summary>
public static class ClusterEngineHosting
{
    public const string SchedulerTypeName = "connection-scheduler";
    public const string BookmarkTypeName = "table-bookmark";

    /// <param name="parse">Reads a registered connection's JSON on this node.</param>
    /// <param name="batchFiles">Small files of one table each worker takes at once.</param>
    public static AkkaConfigurationBuilder AddClusterEngine(this AkkaConfigurationBuilder builder, ConnectionCatalog catalog, int workers,
        Func<string, ParsedConnectionConfig> parse, int batchFiles = FileWorkerActor.DefaultBatchFiles)
    {
        // Chosen once: changing the state-store mode of an existing type name strands its remembered entities.
        var bookmarkShards = new ShardOptions { StateStoreMode = StateStoreMode.Persistence, RememberEntities = false };
        var schedulerShards = new ShardOptions
        {
            StateStoreMode = StateStoreMode.Persistence, RememberEntities = true, RememberEntitiesStore = RememberEntitiesStore.Eventsourced,
        };
        var loads = new ConcurrentDictionary<string, (ConnectionConfig Config, FileLoadService Loads)>(StringComparer.Ordinal);
        return builder
            .WithDistributedPubSub(role: "")
            // The workers and the announcer first: remembered schedulers may start as soon as their shards do.
            .WithActors((system, registry, resolver) =>
            {
                EngineHosting.StartPersistence(system);
                var ports = resolver.GetService<IConnectionPortsFactory>();
                // A connection's changed settings make a new load service; the old one serves the files already going.
                FileLoadService? LoadsOf(string connectionId) => catalog.Find(connectionId) is { } config
                    ? loads.AddOrUpdate(connectionId, _ => (config, new FileLoadService(ports.For(config))),
                        (_, known) => known.Config == config ? known : (config, new FileLoadService(ports.For(config)))).Loads
                    : null;
                var pool = system.ActorOf(FileWorkerPoolActor.Props(workers, LoadsOf, batchFiles), "file-workers");
                var mediator = DistributedPubSub.Get(system).Mediator;
                // No sender: outside an actor the implicit one is whatever actor last ran on this thread, which would get the ack.
                mediator.Tell(new Subscribe(FileWorkAnnouncerActor.Topic, pool), ActorRefs.NoSender);
                registry.Register<FileWorkAnnouncerActor>(system.ActorOf(FileWorkAnnouncerActor.Props(mediator), "file-work-announcer"));
            })
            .WithSingleton<ConnectionRegistryActor>(ConnectionRegistryActor.Id,
                (system, _, _) => ConnectionRegistryActor.Props(DistributedPubSub.Get(system).Mediator), new ClusterSingletonOptions())
            .WithShardRegion<TableBookmarkActor>(BookmarkTypeName, entityId =>
            {
                var (connectionId, table) = ShardedEntityIds.BookmarkOf(entityId);
                return TableBookmarkActor.Props(connectionId, table, catalog.Find(connectionId)?.StartDate);
            }, ShardedEntityIds.Bookmarks, bookmarkShards)
            .WithShardRegion<ConnectionSchedulerActor>(SchedulerTypeName, (_, registry, resolver) =>
            {
                var ports = resolver.GetService<IConnectionPortsFactory>();
                var loggerFactory = resolver.GetService<ILoggerFactory>();
                return connectionId =>
                {
                    ConnectionSettings? Current() => catalog.Entry(connectionId) is { } entry
                        ? new ConnectionSettings(entry.Config, ports.For(entry.Config), entry.Paused)
                        : null;
                    return Current() is { } settings
                        ? ConnectionSchedulerActor.Props(settings.Config, settings.Ports, registry.Get<TableBookmarkActor>(),
                            registry.Get<FileWorkAnnouncerActor>(), loggerFactory, TimeProvider.System, currentSettings: Current, paused: settings.Paused)
                        : UnknownConnectionActor.Props(connectionId, loggerFactory.CreateLogger("cluster"));
                };
            }, ShardedEntityIds.Schedulers, schedulerShards)
            // The node's copy of the registry starts the schedulers of the registered connections.
            .WithActors((system, registry, resolver) =>
            {
                var directory = system.ActorOf(ConnectionDirectoryActor.Props(registry.Get<ConnectionRegistryActor>(), registry.Get<ConnectionSchedulerActor>(),
                    catalog, parse, resolver.GetService<ILoggerFactory>().CreateLogger("registry")), "connection-directory");
                DistributedPubSub.Get(system).Mediator.Tell(new Subscribe(ConnectionDirectoryActor.Topic, directory), ActorRefs.NoSender);
                registry.Register<ConnectionDirectoryActor>(directory);
                system.ActorOf(NodeActivityActor.Props(registry.Get<ConnectionSchedulerActor>(), () => EngineMetrics.FileJobsLoading), NodeActivityActor.Name);
            });
    }
}
