using Akka.Actor;
using Akka.DependencyInjection;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using System.Data.Common;
using LinqToDB;
using LinqToDB.DataProvider.PostgreSQL;
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

    /// <summary>
    /// The journal and snapshot store in PostgreSQL: on their own pool, or, given <paramref name="sessions"/>, on
    /// sessions taken from the caller's pool (a node's, so that the journal counts in the node's database budget).
    /// </summary>
    public static AkkaConfigurationBuilder AddBookmarkJournal(this AkkaConfigurationBuilder builder, string postgres, Func<DbConnection>? sessions = null) =>
        sessions is null
            ? builder.WithSqlPersistence(postgres, ProviderName.PostgreSQL15, schemaName: JournalSchema)
            // The plugin reads its dialect from the provider name, which a connection factory alone leaves unset.
            : builder.WithSqlPersistence(new DataOptions().UseProvider(ProviderName.PostgreSQL15)
                    .UseConnectionFactory(PostgreSQLTools.GetDataProvider(PostgreSQLVersion.v15), _ => sessions()),
                schemaName: JournalSchema);

    /// <summary>
    /// The table bookmarks and one connection's scheduler with file workers of its own (as many as downloads may run
    /// at once from its SFTP host), registered for the command that drives it. The connection's ports come from the
    /// <see cref="IConnectionPortsFactory"/> and the logging from the <see cref="ILoggerFactory"/> registered with the host.
    /// </summary>
    public static AkkaConfigurationBuilder AddConnection(this AkkaConfigurationBuilder builder, ConnectionConfig config) =>
        builder.WithActors((system, registry, resolver) =>
            registry.Register<ConnectionSchedulerActor>(StartConnection(system, registry, resolver, config)));

    private static IActorRef StartConnection(ActorSystem system, IActorRegistry registry, IDependencyResolver resolver, ConnectionConfig config)
    {
        StartPersistence(system);
        var bookmarks = system.ActorOf(TableBookmarksActor.Props(_ => config.StartDate), "table-bookmarks");
        registry.Register<TableBookmarksActor>(bookmarks);
        var ports = resolver.GetService<IConnectionPortsFactory>().For(config);
        var loads = new FileLoadService(ports);
        var workers = system.ActorOf(FileWorkerPoolActor.Props(config.MaxConcurrentDownloads,
            connectionId => connectionId == config.ConnectionId ? loads : null), "file-workers");
        return system.ActorOf(ConnectionSchedulerActor.Props(config, ports, bookmarks, workers, resolver.GetService<ILoggerFactory>(), TimeProvider.System),
            "connection-" + config.ConnectionId);
    }

    /// <summary>
    /// Starts the journal and snapshot store now: their first use initialises tables and mappings, which would
    /// otherwise delay the first run by a second or more.
    /// </summary>
    internal static void StartPersistence(ActorSystem system)
    {
        var persistence = Akka.Persistence.Persistence.Instance.Apply(system);
        persistence.JournalFor(null);
        persistence.SnapshotStoreFor(null);
    }
}
