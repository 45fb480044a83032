using System.Diagnostics.Metrics;
using Akka.Cluster;

namespace ResponsysCluster.Node.Hosting;

/// <summary>The members this node sees, counted by status for the members gauge.</summary>
public static class ClusterMemberCounts
{
    public const string StatusTag = "status";

    /// <summary>
    /// One measurement per status, named as the members route names it (<c>Up</c>, <c>Leaving</c>, …), zero
    /// included: a status whose last member left reads 0 rather than vanishing from the scrape.
    /// </summary>
    public static IEnumerable<Measurement<int>> ByStatus(IEnumerable<MemberStatus> members)
    {
        var counts = members.CountBy(status => status).ToDictionary();
        return Enum.GetValues<MemberStatus>().Select(status =>
            new Measurement<int>(counts.GetValueOrDefault(status), new KeyValuePair<string, object?>(StatusTag, status.ToString())));
    }
}
