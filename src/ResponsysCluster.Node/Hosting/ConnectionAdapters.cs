using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Npgsql;
using ResponsysCluster.Csv;
using ResponsysCluster.Csv.Decoding;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Ports;
using ResponsysCluster.Engine.Hosting;
using ResponsysCluster.Postgres;
using ResponsysCluster.Sftp;

namespace ResponsysCluster.Node.Hosting;

/// <summary>
/// The adapters behind the engine's ports: SSH.NET for the export directory, Npgsql for the database. Each
/// connection's SFTP sessions are kept across files, one per worker (and one for the run's listing), in an
/// <see cref="SftpConnectionPool"/>: a new SSH session costs about 0.4 s, which dominated many small files.
/// <paramref name="loadedBy"/> names this process in the ledger rows of the files it loads and in the steps of the
/// extraction log it writes (a node's name). With <paramref name="runLocks"/> (a node's), each run takes its
/// connection's run lock there; without, the command holds it. A node's loads share its <paramref name="budget"/>.
/// </summary>
public sealed class ConnectionAdapters(NpgsqlDataSource dataSource, ILoggerFactory loggerFactory, string loadedBy, NodeRunLocks? runLocks = null,
    DatabaseBudget? budget = null)
    : IConnectionPortsFactory, IAsyncDisposable, IDisposable
{
    // Long enough to carry a session from one file of a run to the next, short enough that none is held between
    // runs: a cluster runs hundreds of connections, and an SFTP server limits its sessions.
    private static readonly TimeSpan IdleLimit = TimeSpan.FromSeconds(15);

    private readonly ConcurrentDictionary<string, (ConnectionConfig Config, SftpConnectionPool Pool)> pools = new(StringComparer.Ordinal);

    public ConnectionPorts For(ConnectionConfig config)
    {
        var logger = loggerFactory.CreateLogger("sftp");
        SftpConnectionPool Open() => new(new SftpConnector(config, logger), new SftpConnectionPoolOptions(config.MaxConcurrentDownloads + 1, IdleLimit), logger);
        var pool = pools.AddOrUpdate(config.ConnectionId, _ => (config, Open()), (connectionId, known) =>
        {
            if (known.Config == config) return known;
            // Changed settings (another host, key or cap): sessions of the old ones close as they come back.
            _ = known.Pool.DisposeAsync().AsTask();
            return (config, Open());
        }).Pool;
        return new ConnectionPorts(
            new DecodedExportDirectoryConnector(pool, ExportFileDecoder.For(config)),
            new PostgresFileVersionStore(dataSource, config.ConnectionId, config.TargetSchema, CsvFormat.Of(config), config.TimeZone, loadedBy, budget),
            new RunRecords(dataSource, config.ConnectionId, loadedBy),
            runLocks is null ? null : new PostgresRunLock(runLocks, dataSource, config.ConnectionId));
    }

    /// <summary>Creates the control tables and the journal's schema before the actor system starts using them.</summary>
    public static async Task PrepareDatabaseAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await ControlTables.EnsureAsync(dataSource, cancellationToken).ConfigureAwait(false);
        await using var command = dataSource.CreateCommand($"CREATE SCHEMA IF NOT EXISTS {EngineHosting.JournalSchema}");
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the kept SFTP sessions (those still leased close as their users give them back).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var (_, pool) in pools.Values) await pool.DisposeAsync().ConfigureAwait(false);
        pools.Clear();
    }

    // The host's service provider is disposed synchronously by `using var host`: it needs IDisposable too.
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
