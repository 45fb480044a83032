using ResponsysCluster.Domain.Files;

namespace ResponsysCluster.Domain.Ports;

/// <summary>
/// The port that opens a connection's export directory (an SFTP session in production). Fails with
/// <see cref="ExportDirectoryUnavailableException"/> when the directory cannot be reached, logged into or listed.
/// </summary>
public interface IExportDirectoryConnector
{
    Task<IExportDirectory> ConnectAsync(CancellationToken cancellationToken);
}
