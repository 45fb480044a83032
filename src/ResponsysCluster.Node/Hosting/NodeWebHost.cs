using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using ResponsysCluster.Node.Api;
using ResponsysCluster.Postgres;

namespace ResponsysCluster.Node.Hosting;

/// <summary>
/// The node's host: the engine and, on the <c>--http</c> listener, <c>GET /health/live</c> (200 while the process
/// runs) and <c>GET /health/ready</c> (200 once the node is an Up cluster member and PostgreSQL answers, else 503).
/// </summary>
internal static class NodeWebHost
{
    private const string ReadyTag = "ready";

    /// <summary>Builds the host; <paramref name="configure"/> adds the engine's services to it.</summary>
    public static WebApplication Build(NodeSettings node, NpgsqlDataSource dataSource, Action<IHostApplicationBuilder> configure)
    {
        // The empty builder reads no appsettings and no environment: the node's settings are its flags and RSX_ variables.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => Listen(kestrel, node.Http));
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton<MemberUpTimes>();
        builder.Services.AddSingleton(new RunHistory(dataSource));
        builder.Services.AddSingleton(new LoadedTables(dataSource));
        builder.Services.AddSingleton(new TableReset(dataSource));
        builder.Services.AddMetricsExporter();
        builder.Services.AddHealthChecks().AddCheck(PostgresReadinessCheck.Name, new PostgresReadinessCheck(dataSource), tags: [ReadyTag]);
        builder.Services.AddOpenApi(ManagementApi.DocumentName, ManagementApi.DescribeDocument);
        configure(builder);
        var app = builder.Build();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        // Akka.Cluster.Hosting's readiness check carries the same tag: the node must be an Up member.
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        ManagementApi.Map(app, node);
        return app;
    }

    /// <summary>The addresses the listener is bound to, with the port it took when given 0.</summary>
    public static IReadOnlyCollection<string> BoundAddresses(IHost host) =>
        host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    private static void Listen(KestrelServerOptions kestrel, HostPort http)
    {
        if (IPAddress.TryParse(http.Host, out var address)) kestrel.Listen(address, http.Port);
        else if (string.Equals(http.Host, "localhost", StringComparison.OrdinalIgnoreCase)) kestrel.ListenLocalhost(http.Port);
        else foreach (var resolved in Dns.GetHostAddresses(http.Host)) kestrel.Listen(resolved, http.Port);
    }
}
