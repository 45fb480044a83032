using System.Diagnostics.Metrics;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using ResponsysCluster.Engine;
using ResponsysCluster.Node.Hosting;

namespace ResponsysCluster.Node.Api;

/// <summary>
/// <c>/metrics</c>: the node's metrics in Prometheus's text format (OpenTelemetry's exporter), behind the API's
/// token like every route: the engine's (<see cref="EngineMetrics"/>), two gauges read at each scrape (the cluster
/// members this node sees by status, the file jobs loading on this node), and Npgsql's own (each pool's sessions
/// in use and idle, its commands).
/// </summary>
internal static class MetricsRoutes
{
    /// <summary>The meter Npgsql publishes its pools' and commands' instruments on.</summary>
    private const string NpgsqlMeter = "Npgsql";

    public static IServiceCollection AddMetricsExporter(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ClusterMembership.SystemName))
            .WithMetrics(metrics => metrics.AddMeter(EngineMetrics.MeterName, NpgsqlMeter).AddPrometheusExporter());
        return services;
    }

    public static void Map(RouteGroupBuilder api, IServiceProvider services)
    {
        var meter = services.GetRequiredService<IMeterFactory>().Create(EngineMetrics.MeterName);
        // The actor system is looked up at each scrape: it starts with the host, after the routes are mapped.
        meter.CreateObservableGauge("responsys.cluster.members",
            () => ClusterMemberCounts.ByStatus(Akka.Cluster.Cluster.Get(services.GetRequiredService<ActorSystem>()).State.Members.Select(m => m.Status)),
            "{member}", "Cluster members this node sees, by status");
        meter.CreateObservableGauge("responsys.file_jobs.in_flight", () => EngineMetrics.FileJobsLoading, "{job}",
            "File jobs loading on this node (a batch counts each of its files)");
        api.MapPrometheusScrapingEndpoint("/metrics");
    }
}
