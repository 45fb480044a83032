using Akka.Actor;
using Akka.DependencyInjection;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using LinqToDB;
using Microsoft.Extensions.Logging;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Ports;
using ResponsysCluster.Engine.Bookmarks;
using ResponsysCluster.Engine.Files;
using ResponsysCluster.Engine.Runs;
using ResponsysCluster.Engine.Serialization;

namespace ResponsysCluster.Engine.Hosting;

/// <summary>Wires the engine into an Akka.Hosting actor system, one extension per feature.</summary>
public static class EngineHosting
{
    /// <summary>Journal and snapshots live in their own schema of the target database.</summary>
    public const string JournalSchema = "responsys_cluster_journal";

    public static AkkaConfigurationBuilder AddEngineSerialization(this AkkaConfigurationBuilder builder) =>
        builder.WithCustomSerializer("responsys-cluster", [typeof(IEngineMessage)], system => new EngineSerializer(system));

    public static AkkaConfigurationBuilder AddBookmarkJournal(this AkkaConfigurationBuilder builder, string postgres) =>
        builder.WithSqlPersistence(postgres, ProviderName.PostgreSQL15, schemaName: JournalSchema);

    /// <summary>
    /// The table bookmarks and one connection's scheduler with file workers of its own (as many as downloads may run
    /// at once from its SFTP host), registered for the command that drives it. The connection's ports come from the
    /// <see cref="IConnectionPortsFactory"/> and the logging from the <see cref="ILoggerFactory"/> registered with the host.
    /// </summary>
    public static AkkaConfigurationBuilder AddConnection(this AkkaConfigurationBuilder builder, ConnectionConfig config) =>
        builder.WithActors((system, registry, resolver) =>
            registry.Register<ConnectionSchedulerActor>(StartConnections(system, registry, resolver, [config], config.MaxConcurrentDownloads)[0]));

    /// <summary>
    /// The table bookmarks and a scheduler per connection, as <see cref="AddConnection"/>, sharing
    /// <paramref name="workers"/> file workers whatever the number of connections.
    /// </summary>
    public static AkkaConfigurationBuilder AddConnections(this AkkaConfigurationBuilder builder, IReadOnlyList<ConnectionConfig> configs, int workers) =>
        builder.WithActors((system, registry, resolver) => StartConnections(system, registry, resolver, configs, workers));

    private static List<IActorRef> StartConnections(ActorSystem system, IActorRegistry registry, IDependencyResolver resolver,
        IReadOnlyList<ConnectionConfig> configs, int workerCount)
    {
        StartPersistence(system);
        var startDates = configs.ToDictionary(c => c.ConnectionId, c => c.StartDate, StringComparer.Ordinal);
        var bookmarks = system.ActorOf(TableBookmarksActor.Props(connectionId => startDates[connectionId]), "table-bookmarks");
        registry.Register<TableBookmarksActor>(bookmarks);
        var portsFactory = resolver.GetService<IConnectionPortsFactory>();
        var loggerFactory = resolver.GetService<ILoggerFactory>();
        var ports = configs.ToDictionary(c => c.ConnectionId, portsFactory.For, StringComparer.Ordinal);
        var loads = ports.ToDictionary(p => p.Key, p => new FileLoadService(p.Value), StringComparer.Ordinal);
        var workers = system.ActorOf(FileWorkerPoolActor.Props(workerCount, connectionId => loads.GetValueOrDefault(connectionId)), "file-workers");
        return configs.Select(config => system.ActorOf(
            ConnectionSchedulerActor.Props(config, ports[config.ConnectionId], bookmarks, workers, loggerFactory, TimeProvider.System),
            "connection-" + config.ConnectionId)).ToList();
    }

    /// <summary>
    /// Starts the journal and snapshot store now: their first use initialises tables and mappings, which would
    /// otherwise delay the first run by a second or more.
    /// </summary>
    private static void StartPersistence(ActorSystem system)
    {
        var persistence = Akka.Persistence.Persistence.Instance.Apply(system);
        persistence.JournalFor(null);
        persistence.SnapshotStoreFor(null);
    }
}
