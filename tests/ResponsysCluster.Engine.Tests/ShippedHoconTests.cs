using Akka.Cluster.Sharding;
using Akka.Configuration;
using ResponsysCluster.Node.Hosting;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// The HOCON files under <c>hocon/</c> as Akka reads them: a misspelt key is not an error there, only a setting
/// silently left at its default.
/// </summary>
public sealed class ShippedHoconTests
{
    private static readonly Config Shipped = ClusterMembership.ShippedHocon()
        .Aggregate((all, next) => all.WithFallback(next))
        .WithFallback(ClusterSharding.DefaultConfig())
        .WithFallback(Akka.Cluster.Tools.Singleton.ClusterSingleton.DefaultConfig());

    [Fact]
    public void Should_move_up_to_a_tenth_of_the_shards_per_rebalance_round()
    {
        var tuning = ClusterShardingSettings.Create(Shipped.GetConfig("akka.cluster.sharding"), Shipped.GetConfig("akka.cluster.singleton")).TuningParameters;

        Assert.Equal((20, 0.1), (tuning.LeastShardAllocationAbsoluteLimit, tuning.LeastShardAllocationRelativeLimit));
        Assert.Equal(TimeSpan.FromSeconds(10), tuning.RebalanceInterval);
    }

    [Fact]
    public void Should_resolve_a_split_brain_by_keeping_the_majority()
    {
        Assert.Equal("Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster", Shipped.GetString("akka.cluster.downing-provider-class"));
        Assert.Equal("keep-majority", Shipped.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal("cluster", Shipped.GetString("akka.actor.provider"));
    }
}
