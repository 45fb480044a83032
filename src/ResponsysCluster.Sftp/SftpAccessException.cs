using ResponsysCluster.Domain.Ports;

namespace ResponsysCluster.Sftp;

/// <summary>The SFTP server could not be reached, logged into or listed: the whole run stops.</summary>
public sealed class SftpAccessException(string message, Exception? inner = null) : ExportDirectoryUnavailableException(message, inner)
{
    /// <summary>The exact text users of tap-responsys know for a refused login.</summary>
    public const string AuthenticationFailedMessage =
        "Message from SFTP server: Authentication failed. - Please ensure that the server is configured to accept the public key for this integration.";
}
