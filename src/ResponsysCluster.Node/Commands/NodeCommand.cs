using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using ResponsysCluster.Engine.Registry;
using ResponsysCluster.Node.Hosting;
using ResponsysCluster.Postgres;

namespace ResponsysCluster.Node.Commands;

/// <summary>Arguments of <c>responsys-cluster node</c>.</summary>
public sealed record NodeArguments(string? ConfigPath, string? Postgres, NodeFlags Flags, string? ConnectionsDirectory = null);

/// <summary>
/// Keeps the engine running and replicating its connections (<c>--config</c>, <c>--connections</c>) on their schedules until stopped, as a member of the cluster
/// its seeds name (or of one of its own), with its health endpoints on the <c>--http</c> listener. SIGTERM or
/// Ctrl-C stops it cleanly: the node leaves the cluster, the actor system shuts down, a file in flight has its
/// transaction rolled back (or it had already committed), and nothing half-loaded remains.
/// </summary>
public sealed class NodeCommand(ILoggerFactory loggerFactory)
{
    private readonly ILogger logger = loggerFactory.CreateLogger("node");

    public async Task<int> RunAsync(NodeArguments arguments, CancellationToken stop)
    {
        NodeSettings node;
        try
        {
            node = NodeSettings.Resolve(arguments.Flags, Environment.GetEnvironmentVariable);
        }
        catch (NodeFlagException ex)
        {
            logger.LogCritical("{Message}", ex.Message);
            return ExitCodes.ConfigurationOrConnection;
        }
        var connectionsDirectory = arguments.ConnectionsDirectory ?? Environment.GetEnvironmentVariable(ConnectionFiles.DirectoryVariable);
        if (await EngineHost.TryReadSettingsAsync(arguments.ConfigPath, arguments.Postgres, logger, stop, connectionsDirectory, registry: true) is not { } read)
            return ExitCodes.ConfigurationOrConnection;
        // Every session the node opens names the node, so that pg_stat_activity shows which node does what.
        // Every session of the node counts in RSX_NODE_DB_CONNECTIONS, whatever the number of connections and workers: one
        // holds the run locks, the others are the data source's pool (below), which loads, runs, journal and API share.
        using var budget = new DatabaseBudget(node.DbConnections);
        var named = new NpgsqlConnectionStringBuilder(read.Postgres) { ApplicationName = $"responsys-cluster:{node.Name}" }.ConnectionString;
        var settings = read with { Postgres = budget.Bound(named) };
        foreach (var unscheduled in settings.Connections.Where(c => c.Schedule is null))
            logger.LogWarning("Connection {Connection} has no schedule: the node only runs it on demand", unscheduled.ConnectionId);

        await using var dataSource = NpgsqlDataSource.Create(settings.Postgres);
        var (engine, exitCode) = await EngineHost.TryStartAsync(settings, dataSource, "node", wait: false, loggerFactory, logger, stop, (node, budget));
        if (engine is null) return exitCode;
        await using var _ = engine;
        var host = engine.Host;
        var self = Akka.Cluster.Cluster.Get(host.Services.GetRequiredService<ActorSystem>()).SelfAddress;
        logger.LogInformation("Node {Name} at {Address}, health endpoints on {Http}, adding connections {Connections} to the registry; stop with SIGTERM",
            node.Name, self, string.Join(", ", NodeWebHost.BoundAddresses(host)), string.Join(", ", settings.Connections.Select(c => c.ConnectionId)));
        // The host's console lifetime takes SIGTERM for itself and starts stopping: that ends the wait too.
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stop, lifetime.ApplicationStopping);
        var registry = host.Services.GetRequiredService<ActorRegistry>().Get<ConnectionRegistryActor>();
        var applying = RegistryFiles.ApplyAsync(registry, settings.Files, logger, stopping.Token);
        try
        {
            await Task.Delay(Timeout.Infinite, stopping.Token);
        }
        catch (OperationCanceledException)
        {
            logger.LogInformation("Stopping");
        }
        await applying;
        await host.StopAsync(CancellationToken.None);
        return ExitCodes.Success;
    }
}
