using Akka.Actor;
using Akka.Cluster;
using Microsoft.Extensions.Logging;

namespace ResponsysCluster.Node.Hosting;

/// <summary>
/// Logs the cluster's membership as this node sees it: a member up, unreachable, reachable again, leaving or
/// removed, one line each, so that an operator reading one node's log sees what became of the others; and notes
/// when each came up, for the management API.
/// </summary>
internal sealed class MemberEventLogActor : ReceiveActor
{
    public MemberEventLogActor(ILogger logger, MemberUpTimes upTimes)
    {
        Receive<ClusterEvent.MemberUp>(e =>
        {
            upTimes.Up(e.Member.Address, DateTimeOffset.UtcNow);
            logger.LogInformation("Cluster member up: {Address}", e.Member.Address);
        });
        Receive<ClusterEvent.UnreachableMember>(e => logger.LogWarning("Cluster member unreachable: {Address}", e.Member.Address));
        Receive<ClusterEvent.ReachableMember>(e => logger.LogInformation("Cluster member reachable again: {Address}", e.Member.Address));
        Receive<ClusterEvent.MemberLeft>(e => logger.LogInformation("Cluster member leaving: {Address}", e.Member.Address));
        Receive<ClusterEvent.MemberRemoved>(e =>
        {
            upTimes.Removed(e.Member.Address);
            logger.LogInformation("Cluster member removed: {Address} (was {Status})", e.Member.Address, e.PreviousStatus);
        });
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<ClusterEvent.IReachabilityEvent>(_ => { });
    }

    public static Props Props(ILogger logger, MemberUpTimes upTimes) => Akka.Actor.Props.Create(() => new MemberEventLogActor(logger, upTimes));

    protected override void PreStart() =>
        Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

    protected override void PostStop() => Cluster.Get(Context.System).Unsubscribe(Self);
}
