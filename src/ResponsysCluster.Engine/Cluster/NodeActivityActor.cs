using Akka.Actor;
using Akka.Cluster.Sharding;

namespace ResponsysCluster.Engine.Cluster;

/// <summary>Asking any node what it holds now, by its well-known path <see cref="NodeActivityActor.Path"/>.</summary>
public static class NodeActivityProtocol
{
    /// <summary>Answered with <see cref="NodeActivity"/>.</summary>
    public sealed record GetNodeActivity : IEngineMessage
    {
        public static readonly GetNodeActivity Instance = new();
    }

    /// <summary>
    /// The connections whose schedulers live on the node (null when its shard region did not say in time: a node
    /// busy allocating shards must not be shown as holding none), and the file jobs it is loading.
    /// </summary>
    public sealed record NodeActivity(IReadOnlyList<string>? Connections, int FileJobs) : IEngineMessage;
}

/// <summary>
/// Answers what this node holds: the connection schedulers its shard region hosts (the region's own state) and
/// the file jobs loading in this process. One per node, at <see cref="Path"/>, so that another node can ask it.
/// </summary>
public sealed class NodeActivityActor : ReceiveActor
{
    public const string Name = "node-activity";
    public const string Path = "/user/" + Name;

    // Shorter than the API's wait for the answer, so that a slow region still gives an answer with the jobs.
    private static readonly TimeSpan RegionLimit = TimeSpan.FromSeconds(2);

    public NodeActivityActor(IActorRef schedulers, Func<int> fileJobsLoading)
    {
        Receive<NodeActivityProtocol.GetNodeActivity>(_ =>
            schedulers.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, RegionLimit)
                .ContinueWith(state => (object)new NodeActivityProtocol.NodeActivity(
                    state.IsCompletedSuccessfully ? [.. state.Result.Shards.SelectMany(s => s.EntityIds).Order(StringComparer.Ordinal)] : null,
                    fileJobsLoading()), TaskScheduler.Default)
                .PipeTo(Sender));
    }

    public static Props Props(IActorRef schedulers, Func<int> fileJobsLoading) =>
        Akka.Actor.Props.Create(() => new NodeActivityActor(schedulers, fileJobsLoading));
}
