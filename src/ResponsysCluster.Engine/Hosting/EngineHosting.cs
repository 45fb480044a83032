using Akka.Actor;
using Akka.DependencyInjection;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using LinqToDB;
using Microsoft.Extensions.Logging;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Ports;
using ResponsysCluster.Engine.Bookmarks;
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
    /// The table bookmarks and one connection's scheduler with its file workers, registered for the command that
    /// drives it. The connection's ports come from the <see cref="IConnectionPortsFactory"/> and the logging from the
    /// <see cref="ILoggerFactory"/> registered with the host.
    /// </summary>
    public static AkkaConfigurationBuilder AddConnection(this AkkaConfigurationBuilder builder, ConnectionConfig config) =>
        builder.WithActors((system, registry, resolver) =>
            registry.Register<ConnectionSchedulerActor>(StartConnections(system, registry, resolver, [config])[0]));

    /// <summary>The table bookmarks and a scheduler per connection, each with its file workers, as <see cref="AddConnection"/>.</summary>
    public static AkkaConfigurationBuilder AddConnections(this AkkaConfigurationBuilder builder, IReadOnlyList<ConnectionConfig> configs) =>
        builder.WithActors((system, registry, resolver) => StartConnections(system, registry, resolver, configs));

    private static List<IActorRef> StartConnections(ActorSystem system, IActorRegistry registry, IDependencyResolver resolver,
        IReadOnlyList<ConnectionConfig> configs)
    {
        // Start the journal and snapshot store now: their first use initialises tables and mappings, which would
        // otherwise delay the first run by a second or more.
        var persistence = Akka.Persistence.Persistence.Instance.Apply(system);
        persistence.JournalFor(null);
        persistence.SnapshotStoreFor(null);
        var startDates = configs.ToDictionary(c => c.ConnectionId, c => c.StartDate, StringComparer.Ordinal);
        var bookmarks = system.ActorOf(TableBookmarksActor.Props(connectionId => startDates[connectionId]), "table-bookmarks");
        registry.Register<TableBookmarksActor>(bookmarks);
        var ports = resolver.GetService<IConnectionPortsFactory>();
        var loggerFactory = resolver.GetService<ILoggerFactory>();
        return configs.Select(config => system.ActorOf(
            ConnectionSchedulerActor.Props(config, ports.For(config), bookmarks, loggerFactory, TimeProvider.System),
            "connection-" + config.ConnectionId)).ToList();
    }
}
