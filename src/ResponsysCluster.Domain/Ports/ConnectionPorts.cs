using ResponsysCluster.Domain.Configuration;

namespace ResponsysCluster.Domain.Ports;

/// <summary>
/// What the engine needs to replicate one connection, each behind its port. <paramref name="RunLock"/> is taken by
/// each run; null when the command holds the connection's lock for as long as it runs (<c>sync</c>).
/// </summary>
public sealed record ConnectionPorts(IExportDirectoryConnector Directory, IFileVersionStore Store, IRunRecords Records, IConnectionRunLock? RunLock = null);

/// <summary>Builds a connection's ports from its settings; the executable provides the adapters.</summary>
public interface IConnectionPortsFactory
{
    ConnectionPorts For(ConnectionConfig config);
}
