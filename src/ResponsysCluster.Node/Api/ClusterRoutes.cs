using Akka.Actor;
using Akka.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ResponsysCluster.Engine.Cluster;
using ResponsysCluster.Node.Hosting;

namespace ResponsysCluster.Node.Api;

/// <summary>
/// <c>/cluster/members</c>: the members as this node sees them, each with the connections and file jobs it holds now
/// (asked of the member itself), and a graceful leave or a down of one.
/// </summary>
internal static class ClusterRoutes
{
    private static readonly TimeSpan ActivityLimit = TimeSpan.FromSeconds(5);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/cluster/members", (Func<HttpContext, Task<IResult>>)(async context =>
        {
            var system = context.RequestServices.GetRequiredService<ActorSystem>();
            var upTimes = context.RequestServices.GetRequiredService<MemberUpTimes>();
            var state = Cluster.Get(system).State;
            var members = state.Members.OrderBy(m => m.Address.ToString(), StringComparer.Ordinal).ToList();
            var activities = await Task.WhenAll(members.Select(m => ActivityOfAsync(system, m, state.Unreachable.Contains(m))));
            return Results.Json(members.Select((member, i) => new
            {
                address = member.Address.ToString(),
                name = ClusterMembership.NameOf(member.Roles),
                status = member.Status.ToString(),
                roles = member.Roles.Where(r => !r.StartsWith(ClusterMembership.NameRolePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray(),
                leader = member.Address.Equals(state.Leader),
                reachable = !state.Unreachable.Contains(member),
                up_since = upTimes.Of(member.Address),
                connections = activities[i]?.Connections,
                file_jobs = activities[i]?.FileJobs,
            }));
        }));
        api.MapPost("/cluster/members/{address}/leave", (string address, HttpContext context) => Act(address, context, "leaving", (cluster, a) => cluster.Leave(a)));
        api.MapPost("/cluster/members/{address}/down", (string address, HttpContext context) => Act(address, context, "down", (cluster, a) => cluster.Down(a)));
    }

    /// <summary>What the member holds now, or null when it does not answer in time (unreachable, leaving, or busy).</summary>
    private static async Task<NodeActivityProtocol.NodeActivity?> ActivityOfAsync(ActorSystem system, Member member, bool unreachable)
    {
        if (unreachable || member.Status is not (MemberStatus.Up or MemberStatus.Leaving or MemberStatus.WeaklyUp)) return null;
        try
        {
            return await system.ActorSelection(member.Address + NodeActivityActor.Path)
                .Ask<NodeActivityProtocol.NodeActivity>(NodeActivityProtocol.GetNodeActivity.Instance, ActivityLimit);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }

    private static IResult Act(string address, HttpContext context, string outcome, Action<Cluster, Address> act)
    {
        var cluster = Cluster.Get(context.RequestServices.GetRequiredService<ActorSystem>());
        Address parsed;
        try
        {
            parsed = Address.Parse(Uri.UnescapeDataString(address));
        }
        catch (UriFormatException)
        {
            return ApiResults.BadRequest($"'{address}' is not a member address such as akka.tcp://responsys-cluster@host:4053");
        }
        if (!cluster.State.Members.Any(m => m.Address.Equals(parsed))) return ApiResults.NotFound($"{parsed} is not a member of the cluster");
        act(cluster, parsed);
        return Results.Json(new { address = parsed.ToString(), status = outcome }, statusCode: StatusCodes.Status202Accepted);
    }
}
