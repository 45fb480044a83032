using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ResponsysCluster.Engine.Registry;
using ResponsysCluster.Node.Hosting;
using ResponsysCluster.Postgres;
using static ResponsysCluster.Engine.Registry.ConnectionRegistryProtocol;

namespace ResponsysCluster.Node.Api;

/// <summary>
/// <c>GET /</c>: the status page, read-only HTML that refreshes itself. It needs no token, so it shows nothing a
/// token guards: no connection's configuration, no secret. It answers within a few seconds whatever does not
/// answer: what the registry or PostgreSQL did not give in time is left out and named in a line of its own.
/// </summary>
internal static class StatusPage
{
    private const int RefreshSeconds = 10;
    private static readonly TimeSpan ReadLimit = TimeSpan.FromSeconds(3);

    public static void Map(WebApplication app) =>
        // Typed, since a lambda of HttpContext alone returning a Task would be taken as a RequestDelegate and its result dropped.
        app.MapGet("/", (Func<HttpContext, Task<IResult>>)(async context =>
        {
            var status = await ReadAsync(context.RequestServices, context.RequestAborted);
            context.Response.Headers.CacheControl = "no-store";
            context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'";
            return Results.Content(StatusPageHtml.Render(status, RefreshSeconds), "text/html; charset=utf-8");
        }));

    private static async Task<NodeStatus> ReadAsync(IServiceProvider services, CancellationToken aborted)
    {
        var readAt = DateTimeOffset.UtcNow;
        var until = readAt + ReadLimit;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        deadline.CancelAfter(ReadLimit);
        var unread = new List<string>();
        var cluster = Cluster.Get(services.GetRequiredService<ActorSystem>());
        var state = cluster.State;

        var registry = services.GetRequiredService<ActorRegistry>().Get<ConnectionRegistryActor>()
            .Ask<RegistryContents>(GetConnections.Instance, ReadLimit, deadline.Token);
        var tables = services.GetRequiredService<LoadedTables>().OfAsync(null, deadline.Token);

        var contents = await WithinLimitAsync(registry, "the connection registry", until, unread, aborted);
        var connections = contents?.Connections.OrderBy(c => c.Id, StringComparer.Ordinal).Select(c => new ConnectionLine(c.Id, c.Paused)).ToList();
        var lastRuns = connections is null
            ? null
            : await WithinLimitAsync(LastRunsAsync(services.GetRequiredService<RunHistory>(), connections, deadline.Token),
                "PostgreSQL (the connections' last runs)", until, unread, aborted);
        var loaded = await WithinLimitAsync(tables, "PostgreSQL (the tables loaded)", until, unread, aborted);

        var members = state.Members.OrderBy(m => m.Address.ToString(), StringComparer.Ordinal).Select(m => Line(m, state)).ToList();
        return new NodeStatus(readAt, Line(cluster.SelfMember, state), members, connections, lastRuns, loaded, unread);
    }

    private static MemberLine Line(Member member, ClusterEvent.CurrentClusterState state) =>
        new(member.Address.ToString(), ClusterMembership.NameOf(member.Roles), member.Status.ToString(), member.Address.Equals(state.Leader),
            !state.Unreachable.Contains(member));

    private static async Task<IReadOnlyDictionary<string, LastRun>> LastRunsAsync(RunHistory history, IReadOnlyList<ConnectionLine> connections,
        CancellationToken cancellationToken)
    {
        // One connection after another: the page takes one of the node's PostgreSQL sessions, never more.
        var lastRuns = new Dictionary<string, LastRun>();
        foreach (var connection in connections)
        {
            if ((await history.RunsOfAsync(connection.Id, 1, cancellationToken)).FirstOrDefault() is not { } run) continue;
            var report = run.EndedAt is null ? [] : await history.ReportAsync(run.RunId, cancellationToken);
            lastRuns[connection.Id] = new LastRun(run.Status, run.StartedAt, run.EndedAt, run.EndedAt is null ? null : report.Sum(t => t.RowsLoaded),
                [.. run.Errors, .. report.SelectMany(t => t.Errors)]);
        }
        return lastRuns;
    }

    /// <summary>
    /// The result of <paramref name="read"/>, or null with a line in <paramref name="unread"/> when it failed or did not
    /// finish by <paramref name="until"/> (a hung PostgreSQL may not heed its cancellation: the page does not wait for it).
    /// </summary>
    private static async Task<T?> WithinLimitAsync<T>(Task<T> read, string what, DateTimeOffset until, List<string> unread, CancellationToken aborted)
        where T : class
    {
        try
        {
            return await read.WaitAsync(TimeSpan.FromTicks(Math.Max(0, (until - DateTimeOffset.UtcNow).Ticks)), aborted);
        }
        catch (Exception ex) when (!aborted.IsCancellationRequested)
        {
            // The exception's type and message only, as the readiness check shows them: never a connection string.
            unread.Add(ex is TimeoutException or OperationCanceledException or AskTimeoutException
                ? $"Not shown: {what} did not answer within {ReadLimit.TotalSeconds:0} s."
                : $"Not shown: {what} could not be read ({ex.GetType().Name}: {ex.Message}).");
            return null;
        }
    }
}
