using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Engine.Hosting;
using ResponsysCluster.Engine.Runs;
using ResponsysCluster.Sftp;

namespace ResponsysCluster.Node.Commands;

/// <summary>Arguments of <c>responsys-cluster sync</c>.</summary>
public sealed record SyncArguments(string ConfigPath, string? Postgres, IReadOnlyList<string>? Tables);

/// <summary>
/// Starts the engine on this node, runs one replication of the connection into PostgreSQL, prints the loading
/// report and stops. Non-zero exit when the run or any file failed.
/// </summary>
public sealed class SyncCommand(ILoggerFactory loggerFactory)
{
    public const string PostgresVariable = "RSX_POSTGRES";
    private static readonly TimeSpan RunTimeout = TimeSpan.FromHours(12);

    private readonly ILogger logger = loggerFactory.CreateLogger("sync");

    public async Task<int> RunAsync(SyncArguments arguments, TextWriter output, CancellationToken cancellationToken)
    {
        ConnectionConfig config;
        string postgres;
        try
        {
            if (!File.Exists(arguments.ConfigPath)) throw new ConfigException("(file)", $"the config file '{arguments.ConfigPath}' does not exist");
            config = ConnectionConfigParser.Parse(await File.ReadAllTextAsync(arguments.ConfigPath, cancellationToken),
                Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)).Config;
            postgres = arguments.Postgres ?? Environment.GetEnvironmentVariable(PostgresVariable)
                ?? throw new ConfigException("--postgres", $"give --postgres CONNECTION_STRING or set {PostgresVariable}");
        }
        catch (ConfigException ex)
        {
            logger.LogCritical("{Message}", ex.Message);
            return TapCommand.Failure;
        }

        await using var dataSource = NpgsqlDataSource.Create(postgres);
        await EngineHosting.PrepareDatabaseAsync(dataSource, cancellationToken);
        Func<CancellationToken, Task<IExportDirectory>> connect = async ct => await new SftpConnector(config, logger).ConnectAsync(ct);

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddAkka("responsys-cluster", akka => akka
            .AddEngineSerialization()
            .AddBookmarkJournal(postgres)
            .AddConnection(config, dataSource, connect, loggerFactory));
        using var host = builder.Build();
        await host.StartAsync(cancellationToken);
        try
        {
            var scheduler = await host.Services.GetRequiredService<ActorRegistry>().GetAsync<ConnectionSchedulerActor>(cancellationToken);
            var reply = await scheduler.Ask<object>(new ConnectionSchedulerProtocol.RunNow(arguments.Tables), RunTimeout, cancellationToken);
            if (reply is not RunReport report)
            {
                logger.LogCritical("A run of {Connection} is already going", config.ConnectionId);
                return TapCommand.Failure;
            }
            await output.WriteAsync(report.Format());
            return report.HasFailures ? TapCommand.Failure : TapCommand.Success;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }
}
