using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Microsoft.Extensions.Logging;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Registry;
using ResponsysCluster.Engine.Cluster;
using static ResponsysCluster.Engine.Registry.ConnectionRegistryProtocol;

namespace ResponsysCluster.Engine.Registry;

/// <summary>
/// This node's copy of the registry: follows its changes (the registry topic, and the whole registry every
/// <see cref="RefreshEvery"/> in case a change was missed), reads each connection's JSON here (its secrets'
/// variables are this node's), keeps the <see cref="ConnectionCatalog"/>, starts the scheduler of each connection and
/// tells it when its settings changed.
/// </summary>
public sealed class ConnectionDirectoryActor : ReceiveActor, IWithTimers
{
    public const string Topic = "connection-registry";
    public static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(15);

    private readonly IActorRef registry;
    private readonly IActorRef schedulers;
    private readonly ConnectionCatalog catalog;
    private readonly Func<string, ParsedConnectionConfig> parse;
    private readonly ILogger logger;
    private readonly Dictionary<string, long> revisions = new(StringComparer.Ordinal);
    private long seen;

    /// <param name="registry">The registry singleton's proxy.</param>
    /// <param name="schedulers">The scheduler shard region.</param>
    /// <param name="parse">Reads a connection's JSON on this node (<see cref="RegistryDocument.Parse"/>).</param>
    public ConnectionDirectoryActor(IActorRef registry, IActorRef schedulers, ConnectionCatalog catalog, Func<string, ParsedConnectionConfig> parse, ILogger logger)
    {
        this.registry = registry;
        this.schedulers = schedulers;
        this.catalog = catalog;
        this.parse = parse;
        this.logger = logger;
        Receive<SubscribeAck>(_ => { });
        Receive<Refresh>(_ => registry.Tell(GetConnections.Instance));
        Receive<RegistryContents>(HandleContents);
        Receive<ConnectionUpdated>(HandleUpdated);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef registry, IActorRef schedulers, ConnectionCatalog catalog, Func<string, ParsedConnectionConfig> parse, ILogger logger) =>
        Akka.Actor.Props.Create(() => new ConnectionDirectoryActor(registry, schedulers, catalog, parse, logger));

    protected override void PreStart()
    {
        Self.Tell(Refresh.Instance);
        Timers.StartPeriodicTimer("refresh", Refresh.Instance, RefreshEvery);
    }

    private void HandleContents(RegistryContents contents)
    {
        // A slow answer from before a change already followed would undo it.
        if (contents.Revision < seen) return;
        seen = contents.Revision;
        var changed = contents.Connections.Where(c => Apply(c.Id, c)).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in revisions.Keys.Except(contents.Connections.Select(c => c.Id)).ToList()) Apply(gone, null);
        // A scheduler passivated on a node that could not run its connection starts again (a live one ignores this).
        foreach (var entry in catalog.All.Where(e => !changed.Contains(e.Config.ConnectionId))) TellScheduler(entry.Config.ConnectionId);
    }

    private void HandleUpdated(ConnectionUpdated updated)
    {
        seen = Math.Max(seen, updated.Revision);
        Apply(updated.Id, updated.Connection);
    }

    /// <summary>Follows one connection's change (null: removed); false when it knew this revision already.</summary>
    private bool Apply(string id, RegisteredConnection? connection)
    {
        if (connection is null)
        {
            if (!revisions.Remove(id)) return false;
            catalog.Remove(id);
            logger.LogInformation("Connection {Connection} removed from the registry", id);
            TellScheduler(id);
            return true;
        }
        if (revisions.TryGetValue(id, out var known) && known >= connection.Revision) return false;
        revisions[id] = connection.Revision;
        try
        {
            var config = parse(connection.Json).Config;
            catalog.Set(new CatalogEntry(config, connection.Paused, connection.Revision));
        }
        catch (ConfigException ex)
        {
            // Another node wrote it, with variables set there: this node cannot run it, and says why.
            catalog.Remove(id);
            logger.LogError("Connection {Connection} cannot run on this node: {Key}: {Reason}", id, ex.Key, ex.Reason);
        }
        TellScheduler(id);
        return true;
    }

    /// <summary>The envelope starts the scheduler where it is not alive (and remembers it); a live one reads its settings again.</summary>
    private void TellScheduler(string id) => schedulers.Tell(new ShardingEnvelope(id, new ConnectionChanged(id)));

    private sealed record Refresh : INoSerializationVerificationNeeded
    {
        public static readonly Refresh Instance = new();
    }
}
