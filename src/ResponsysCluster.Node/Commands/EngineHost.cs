using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Ports;
using ResponsysCluster.Engine.Hosting;
using ResponsysCluster.Node.Hosting;

namespace ResponsysCluster.Node.Commands;

/// <summary>One connection and the PostgreSQL it loads into.</summary>
internal sealed record EngineSettings(ConnectionConfig Config, string Postgres, NpgsqlConnectionStringBuilder Target);

/// <summary>The engine on this node, hosted: one connection, its bookmarks journalled in PostgreSQL.</summary>
internal static class EngineHost
{
    public const string PostgresVariable = "RSX_POSTGRES";

    /// <summary>Akka's own log level (DEBUG, INFO, WARNING, ERROR); WARNING when unset.</summary>
    public const string AkkaLogLevelVariable = "RSX_AKKA_LOG_LEVEL";

    /// <summary>
    /// Reads the connection config and the PostgreSQL connection string (from <paramref name="postgres"/> or
    /// <see cref="PostgresVariable"/>); null, with the problem logged naming the key, when either is missing or wrong.
    /// </summary>
    public static async Task<EngineSettings?> TryReadSettingsAsync(string configPath, string? postgres, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            if (!File.Exists(configPath)) throw new ConfigException("(file)", $"the config file '{configPath}' does not exist");
            var config = ConnectionConfigParser.Parse(await File.ReadAllTextAsync(configPath, cancellationToken),
                Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)).Config;
            var connectionString = postgres ?? Environment.GetEnvironmentVariable(PostgresVariable)
                ?? throw new ConfigException("--postgres", $"give --postgres CONNECTION_STRING or set {PostgresVariable}");
            return new EngineSettings(config, connectionString, PostgresTarget.Parse(connectionString));
        }
        catch (ConfigException ex)
        {
            logger.LogCritical("{Message}", ex.Message);
            return null;
        }
    }

    /// <summary>
    /// Prepares the database (a server that cannot be used is a <see cref="DatabaseConnectException"/> naming it)
    /// and starts the actor system.
    /// </summary>
    public static async Task<IHost> StartAsync(EngineSettings settings, NpgsqlDataSource dataSource,
        ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var (config, postgres, target) = settings;
        await PostgresTarget.UseAsync(target, () => ConnectionAdapters.PrepareDatabaseAsync(dataSource, cancellationToken));

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        // The adapters behind the engine's ports, built once from the settings; the actors resolve them.
        // Registered by a factory, so that the host disposes it (closing the kept SFTP sessions) when it stops.
        builder.Services.AddSingleton<IConnectionPortsFactory>(_ => new ConnectionAdapters(dataSource, loggerFactory));
        builder.Services.AddAkka("responsys-cluster", akka => akka
            // Akka's own log goes through the same loggers (stderr), never to stdout.
            .ConfigureLoggers(loggers =>
            {
                loggers.LogLevel = AkkaLogLevel();
                loggers.ClearLoggers();
                loggers.AddLoggerFactory();
            })
            .AddEngineSerialization()
            .AddBookmarkJournal(postgres)
            .AddConnection(config));
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return host;
    }

    /// <summary>Akka's start, shutdown and journal chatter is for those who ask: warnings and errors only by default.</summary>
    private static Akka.Event.LogLevel AkkaLogLevel() => Environment.GetEnvironmentVariable(AkkaLogLevelVariable)?.Trim().ToUpperInvariant() switch
    {
        "DEBUG" => Akka.Event.LogLevel.DebugLevel,
        "INFO" => Akka.Event.LogLevel.InfoLevel,
        "ERROR" => Akka.Event.LogLevel.ErrorLevel,
        _ => Akka.Event.LogLevel.WarningLevel,
    };
}
