using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Ports;
using ResponsysCluster.Domain.Registry;
using ResponsysCluster.Engine.Cluster;
using ResponsysCluster.Engine.Hosting;
using ResponsysCluster.Node.Hosting;
using ResponsysCluster.Postgres;

namespace ResponsysCluster.Node.Commands;

/// <summary>Another process runs the connection now: the message says which, on which host, since when.</summary>
public sealed class AnotherRunInProgressException(string message) : Exception(message);

/// <summary>The engine's host and its connections' run locks, held until disposed (after the host stopped).</summary>
internal sealed class RunningEngine(IHost host, IReadOnlyList<ConnectionRunLock> runLocks) : IAsyncDisposable
{
    public IHost Host { get; } = host;

    public async ValueTask DisposeAsync()
    {
        Host.Dispose();
        await EngineHost.ReleaseAsync(runLocks);
    }
}

/// <summary>The connections a command runs (for a node: those it adds to the registry) and the PostgreSQL they load into.</summary>
internal sealed record EngineSettings(IReadOnlyList<ConnectionFile> Files, string Postgres, NpgsqlConnectionStringBuilder Target)
{
    public IReadOnlyList<ConnectionConfig> Connections { get; } = [.. Files.Select(f => f.Config)];

    /// <summary>The connection of a command that runs one.</summary>
    public ConnectionConfig Config => Connections[0];
}

/// <summary>The engine on this node, hosted: its connections, their bookmarks journalled in PostgreSQL.</summary>
internal static class EngineHost
{
    public const string PostgresVariable = "RSX_POSTGRES";

    private static string HomeDirectory => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    /// <summary>Akka's own log level (DEBUG, INFO, WARNING, ERROR); WARNING when unset.</summary>
    public const string AkkaLogLevelVariable = "RSX_AKKA_LOG_LEVEL";

    /// <summary>
    /// Reads the connection configs (<paramref name="configPath"/>, and for a node every <c>*.json</c> of
    /// <paramref name="connectionsDirectory"/>) and the PostgreSQL connection string (from <paramref name="postgres"/> or
    /// <see cref="PostgresVariable"/>); null, with the problem logged naming the file and key, when any is missing or wrong.
    /// </summary>
    public static async Task<EngineSettings?> TryReadSettingsAsync(string? configPath, string? postgres, ILogger logger, CancellationToken cancellationToken,
        string? connectionsDirectory = null, bool registry = false)
    {
        try
        {
            var connections = await ConnectionFiles.ReadAsync(configPath, connectionsDirectory, HomeDirectory, cancellationToken, registry);
            var connectionString = postgres ?? Environment.GetEnvironmentVariable(PostgresVariable)
                ?? throw new ConfigException("--postgres", $"give --postgres CONNECTION_STRING or set {PostgresVariable}");
            return new EngineSettings(connections, connectionString, PostgresTarget.Parse(connectionString));
        }
        catch (ConfigException ex)
        {
            logger.LogCritical("{Message}", ex.Message);
            return null;
        }
    }

    /// <summary>
    /// Starts the engine as <see cref="StartAsync"/> does, or logs in one line why it cannot and gives the exit code:
    /// the database cannot be used, or another process runs the connection.
    /// </summary>
    public static async Task<(RunningEngine? Engine, int ExitCode)> TryStartAsync(EngineSettings settings, NpgsqlDataSource dataSource, string command,
        bool wait, ILoggerFactory loggerFactory, ILogger logger, CancellationToken cancellationToken, (NodeSettings Settings, DatabaseBudget Budget)? node = null)
    {
        try
        {
            return (await StartAsync(settings, dataSource, command, wait, loggerFactory, cancellationToken, node), ExitCodes.Success);
        }
        catch (DatabaseConnectException ex)
        {
            logger.LogCritical("{Message}", ex.Message);
            return (null, ExitCodes.ConfigurationOrConnection);
        }
        catch (AnotherRunInProgressException ex)
        {
            logger.LogCritical("{Message}", ex.Message);
            return (null, ExitCodes.AnotherRunInProgress);
        }
    }

    /// <summary>
    /// Prepares the database (a server that cannot be used is a <see cref="DatabaseConnectException"/> naming it),
    /// for a one-off command takes the connection's run lock (held by another process:
    /// <see cref="AnotherRunInProgressException"/>, or a wait when <paramref name="wait"/>), and starts the actor
    /// system. Disposing the result stops it and releases the lock. A <paramref name="node"/>'s runs take the lock each.
    /// </summary>
    public static async Task<RunningEngine> StartAsync(EngineSettings settings, NpgsqlDataSource dataSource, string command, bool wait,
        ILoggerFactory loggerFactory, CancellationToken cancellationToken, (NodeSettings Settings, DatabaseBudget Budget)? node = null)
    {
        await PostgresTarget.UseAsync(settings.Target, () => ConnectionAdapters.PrepareDatabaseAsync(dataSource, cancellationToken));
        var runLocks = new List<ConnectionRunLock>();
        try
        {
            // A one-off command holds its connection's lock for as long as it runs; a node's runs take it one run at
            // a time, so that several nodes share the connections.
            foreach (var connection in node is null ? settings.Connections : [])
                runLocks.Add(await LockConnectionAsync(settings, connection.ConnectionId, dataSource, command, wait, loggerFactory.CreateLogger(command), cancellationToken));
            return new RunningEngine(await StartHostAsync(settings, dataSource, loggerFactory, node, cancellationToken), runLocks);
        }
        catch
        {
            await ReleaseAsync(runLocks);
            throw;
        }
    }

    public static async Task ReleaseAsync(IEnumerable<ConnectionRunLock> runLocks)
    {
        foreach (var runLock in runLocks) await runLock.DisposeAsync();
    }

    private static async Task<ConnectionRunLock> LockConnectionAsync(EngineSettings settings, string connectionId, NpgsqlDataSource dataSource, string command,
        bool wait, ILogger logger, CancellationToken cancellationToken)
    {
        ConnectionRunLock? runLock = null;
        await PostgresTarget.UseAsync(settings.Target, async () =>
        {
            runLock = await ConnectionRunLock.TryAcquireAsync(settings.Postgres, connectionId, command, cancellationToken);
            if (runLock is not null) return;
            var holder = await ConnectionRunLock.HolderAsync(dataSource, connectionId, cancellationToken);
            var who = PostgresRunLock.Describe(connectionId, holder);
            if (!wait) throw new AnotherRunInProgressException($"{who}; give --wait to wait for it");
            logger.LogWarning("{Holder}; waiting for it to end", who);
            runLock = await ConnectionRunLock.AcquireAsync(settings.Postgres, connectionId, command, cancellationToken);
        });
        return runLock!;
    }

    /// <summary>
    /// The engine's host: a plain one for a one-off command, or, for a <paramref name="node"/>, a cluster member
    /// serving its health endpoints.
    /// </summary>
    private static async Task<IHost> StartHostAsync(EngineSettings settings, NpgsqlDataSource dataSource,
        ILoggerFactory loggerFactory, (NodeSettings Settings, DatabaseBudget Budget)? node, CancellationToken cancellationToken)
    {
        IHost host;
        if (node is null)
        {
            // No appsettings.json, no DOTNET_ variables: the settings are the command's flags and RSX_ variables. The
            // defaults would also watch the working directory for changes to those files, costing CPU on every write under it.
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            AddEngine(builder, settings.Postgres, dataSource, loggerFactory, $"sync on {Environment.MachineName}", nodeBudget: null,
                akka => akka.AddConnection(settings.Config));
            host = builder.Build();
        }
        else
        {
            var (member, budget) = node.Value;
            host = NodeWebHost.Build(member, dataSource,
                builder => AddEngine(builder, settings.Postgres, dataSource, loggerFactory, member.Name, budget,
                    akka => akka.AddClusterMembership(member).AddClusterEngine(new ConnectionCatalog(), member.Workers, json => RegistryDocument.Parse(json, HomeDirectory),
                        member.BatchFiles)));
        }
        await host.StartAsync(cancellationToken);
        return host;
    }

    private static void AddEngine(IHostApplicationBuilder builder, string postgres, NpgsqlDataSource dataSource,
        ILoggerFactory loggerFactory, string loadedBy, DatabaseBudget? nodeBudget, Action<AkkaConfigurationBuilder> connections)
    {
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        // The adapters behind the engine's ports, built once from the settings; the actors resolve them.
        // Registered by a factory, so that the host disposes it (closing the kept SFTP sessions) when it stops.
        // A node's runs take their locks on one session of the node's (disposed with the host); a command holds its own.
        if (nodeBudget is not null) builder.Services.AddSingleton(_ => new NodeRunLocks(postgres));
        builder.Services.AddSingleton<IConnectionPortsFactory>(services =>
            new ConnectionAdapters(dataSource, loggerFactory, loadedBy, services.GetService<NodeRunLocks>(), nodeBudget));
        builder.Services.AddAkka(ClusterMembership.SystemName, akka =>
        {
            // Akka's own log goes through the same loggers (stderr), never to stdout.
            akka.ConfigureLoggers(loggers =>
            {
                loggers.LogLevel = AkkaLogLevel();
                loggers.ClearLoggers();
                loggers.AddLoggerFactory();
            });
            // A node's journal takes its sessions from the node's pool: they count in its database budget.
            akka.AddEngineSerialization().AddBookmarkJournal(postgres, nodeBudget is null ? null : dataSource.CreateConnection);
            connections(akka);
        });
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
