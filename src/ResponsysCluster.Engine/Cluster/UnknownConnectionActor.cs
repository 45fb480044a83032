using Akka.Actor;
using Akka.Cluster.Sharding;
using Microsoft.Extensions.Logging;

namespace ResponsysCluster.Engine.Cluster;

/// <summary>
/// The scheduler entity of a connection this node has no settings for (removed from its connections): it says so
/// and passivates, which also takes it out of the remembered entities, so its schedule ends.
/// </summary>
public sealed class UnknownConnectionActor : ReceiveActor
{
    public UnknownConnectionActor(string connectionId, ILogger logger)
    {
        logger.LogWarning("Connection {Connection} is not among this node's connections: its schedule ends", connectionId);
        Context.Parent.Tell(new Passivate(PoisonPill.Instance));
        ReceiveAny(_ => { });
    }

    public static Props Props(string connectionId, ILogger logger) => Akka.Actor.Props.Create(() => new UnknownConnectionActor(connectionId, logger));
}
