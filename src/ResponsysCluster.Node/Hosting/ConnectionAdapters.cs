using Microsoft.Extensions.Logging;
using Npgsql;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Ports;
using ResponsysCluster.Engine.Hosting;
using ResponsysCluster.Postgres;
using ResponsysCluster.Sftp;

namespace ResponsysCluster.Node.Hosting;

/// <summary>The adapters behind the engine's ports: SSH.NET for the export directory, Npgsql for the database.</summary>
public sealed class ConnectionAdapters(NpgsqlDataSource dataSource, ILoggerFactory loggerFactory) : IConnectionPortsFactory
{
    public ConnectionPorts For(ConnectionConfig config) => new(
        new SftpConnector(config, loggerFactory.CreateLogger("sftp")),
        new PostgresFileVersionStore(dataSource, config.ConnectionId, config.TargetSchema, CsvFormat.Of(config), config.TimeZone),
        new RunRecords(dataSource, config.ConnectionId));

    /// <summary>Creates the control tables and the journal's schema before the actor system starts using them.</summary>
    public static async Task PrepareDatabaseAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await ControlTables.EnsureAsync(dataSource, cancellationToken).ConfigureAwait(false);
        await using var command = dataSource.CreateCommand($"CREATE SCHEMA IF NOT EXISTS {EngineHosting.JournalSchema}");
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
