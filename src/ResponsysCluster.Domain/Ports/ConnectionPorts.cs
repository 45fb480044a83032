using ResponsysCluster.Domain.Configuration;

namespace ResponsysCluster.Domain.Ports;

/// <summary>What the engine needs to replicate one connection, each behind its port.</summary>
public sealed record ConnectionPorts(IExportDirectoryConnector Directory, IFileVersionStore Store, IRunRecords Records);

/// <summary>Builds a connection's ports from its settings; the executable provides the adapters.</summary>
public interface IConnectionPortsFactory
{
    ConnectionPorts For(ConnectionConfig config);
}
