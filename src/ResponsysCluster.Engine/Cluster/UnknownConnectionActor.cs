using Akka.Actor;
using Akka.Cluster.Sharding;
using Microsoft.Extensions.Logging;

namespace ResponsysCluster.Engine.Cluster;

/// <summary>
/// The scheduler entity of a connection this node has no settings for (removed from the registry, not yet known
/// here, or unusable here): it says so and passivates, which also takes it out of the remembered entities. A
/// registered connection's entity is started again by the nodes' copies of the registry.
/// </summary>
public sealed class UnknownConnectionActor : ReceiveActor
{
    public UnknownConnectionActor(string connectionId, ILogger logger)
    {
        logger.LogWarning("Connection {Connection} is not registered, or cannot run on this node: its scheduler stops here", connectionId);
        Context.Parent.Tell(new Passivate(PoisonPill.Instance));
        ReceiveAny(_ => { });
    }

    public static Props Props(string connectionId, ILogger logger) => Akka.Actor.Props.Create(() => new UnknownConnectionActor(connectionId, logger));
}
