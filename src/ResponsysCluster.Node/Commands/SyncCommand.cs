using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using ResponsysCluster.Engine.Runs;
using ResponsysCluster.Node.Hosting;

namespace ResponsysCluster.Node.Commands;

/// <summary>Arguments of <c>responsys-cluster sync</c>.</summary>
/// <param name="Wait">When another process runs the connection, wait for it to end instead of exiting with code 3.</param>
public sealed record SyncArguments(string ConfigPath, string? Postgres, IReadOnlyList<string>? Tables, bool Wait = false);

/// <summary>
/// Starts the engine on this node, runs one replication of the connection into PostgreSQL, prints the loading
/// report and stops. Exit codes as <see cref="ExitCodes"/> says: 2 when the configuration, PostgreSQL or the SFTP
/// server stopped the run before any file, 1 when a file or the run failed.
/// </summary>
public sealed class SyncCommand(ILoggerFactory loggerFactory)
{
    public const string PostgresVariable = EngineHost.PostgresVariable;
    private static readonly TimeSpan RunTimeout = TimeSpan.FromHours(12);

    private readonly ILogger logger = loggerFactory.CreateLogger("sync");

    public async Task<int> RunAsync(SyncArguments arguments, TextWriter output, CancellationToken cancellationToken)
    {
        if (await EngineHost.TryReadSettingsAsync(arguments.ConfigPath, arguments.Postgres, logger, cancellationToken) is not { } settings)
            return ExitCodes.ConfigurationOrConnection;
        var config = settings.Config;

        await using var dataSource = NpgsqlDataSource.Create(settings.Postgres);
        var (engine, exitCode) = await EngineHost.TryStartAsync(settings, dataSource, "sync", arguments.Wait, loggerFactory, logger, cancellationToken);
        if (engine is null) return exitCode;
        await using var _ = engine;
        var host = engine.Host;
        try
        {
            var scheduler = await host.Services.GetRequiredService<ActorRegistry>().GetAsync<ConnectionSchedulerActor>(cancellationToken);
            // Progress only on a terminal; redirected output gets the plain log lines.
            var progress = Console.IsErrorRedirected ? null
                : host.Services.GetRequiredService<ActorSystem>().ActorOf(ProgressDisplayActor.Props(Console.Error), "progress");
            var reply = await scheduler.Ask<object>(new ConnectionSchedulerProtocol.RunNow(arguments.Tables), RunTimeout, cancellationToken);
            if (progress is not null) await progress.GracefulStop(TimeSpan.FromSeconds(5));
            if (reply is not RunReport report)
            {
                logger.LogCritical("A run of {Connection} is already going", config.ConnectionId);
                return ExitCodes.AnotherRunInProgress;
            }
            await output.WriteAsync(report.Format());
            return report.FailedToConnect ? ExitCodes.ConfigurationOrConnection
                : report.HasFailures ? ExitCodes.Failure : ExitCodes.Success;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }
}
