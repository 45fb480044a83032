using Akka.Cluster.Hosting;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.Logging;

namespace ResponsysCluster.Node.Hosting;

/// <summary>
/// Makes the node's actor system a cluster member: <c>hocon/cluster.hocon</c> and <c>hocon/sharding.hocon</c>, under
/// the node's own address and seeds.
/// </summary>
public static class ClusterMembership
{
    /// <summary>The actor system's name: every node of a cluster must use the same.</summary>
    public const string SystemName = "responsys-cluster";

    /// <summary>The role that carries a member's node name, escaped (the roles pass through HOCON, where ':' is syntax).</summary>
    public const string NameRolePrefix = "node-name-";

    public static string NameRole(string name) => NameRolePrefix + Uri.EscapeDataString(name);

    /// <summary>The node name a member's roles carry, if any.</summary>
    public static string? NameOf(IEnumerable<string> roles) =>
        roles.FirstOrDefault(r => r.StartsWith(NameRolePrefix, StringComparison.Ordinal)) is { } role ? Uri.UnescapeDataString(role[NameRolePrefix.Length..]) : null;

    /// <summary>The HOCON files shipped beside the executable.</summary>
    public static string HoconDirectory => Path.Combine(AppContext.BaseDirectory, "hocon");

    /// <summary>The shipped HOCON files, each a fallback of the one before.</summary>
    public static IEnumerable<Config> ShippedHocon() =>
        new[] { "cluster.hocon", "sharding.hocon" }.Select(file => ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(HoconDirectory, file))));

    public static AkkaConfigurationBuilder AddClusterMembership(this AkkaConfigurationBuilder builder, NodeSettings node)
    {
        // Below what the options set (address, seeds), above Akka's own defaults.
        foreach (var hocon in ShippedHocon()) builder.AddHocon(hocon, HoconAddMode.Append);
        builder.WithRemoting(new RemoteOptions { HostName = node.Host, Port = node.Port, PublicHostName = node.PublicHost });
        // The node's name as a role, so that every member can name every other (the API's members list).
        builder.WithClustering(new ClusterOptions { SeedNodes = node.Seeds.Select(SeedAddress).ToArray(), Roles = [NameRole(node.Name)] });
        builder.WithAkkaClusterReadinessCheck();
        builder.WithActors((system, _, resolver) =>
            system.ActorOf(MemberEventLogActor.Props(resolver.GetService<ILoggerFactory>().CreateLogger("cluster"), resolver.GetService<MemberUpTimes>()),
                "member-event-log"));
        // No seeds: the node forms a cluster of its own, at the address it is bound to (its port may have been 0).
        if (node.Seeds.Count == 0)
            builder.AddStartup((system, _) =>
            {
                var cluster = Akka.Cluster.Cluster.Get(system);
                cluster.Join(cluster.SelfAddress);
            });
        return builder;
    }

    private static string SeedAddress(HostPort seed) => $"akka.tcp://{SystemName}@{seed.Host}:{seed.Port}";
}
