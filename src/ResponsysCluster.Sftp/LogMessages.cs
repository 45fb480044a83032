using Microsoft.Extensions.Logging;

namespace ResponsysCluster.Sftp;

internal static partial class LogMessages
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to SFTP {Host}:{Port} as {User}")]
    public static partial void Connected(ILogger logger, string host, int port, string user);

    [LoggerMessage(Level = LogLevel.Information, Message = "SFTP server {Host}:{Port} presented host key {KeyType} {Fingerprint}")]
    public static partial void HostKeySeen(ILogger logger, string host, int port, string keyType, string fingerprint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connecting to SFTP {Host}:{Port} failed ({Reason}); retrying in {DelaySeconds} s")]
    public static partial void ConnectRetry(ILogger logger, string host, int port, string reason, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Found {Count} files in '{Directory}'")]
    public static partial void Listed(ILogger logger, int count, string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing '{Path}' on the SFTP server failed ({ExceptionType}: {Reason}); the connection will not be reused")]
    public static partial void CloseFailed(ILogger logger, string path, string exceptionType, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reads of '{Directory}' still running after {Seconds} s while its connection ends")]
    public static partial void ReadsOutlived(ILogger logger, string directory, double seconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SFTP connection for '{Directory}' dropped from the pool: {Reason}")]
    public static partial void PooledConnectionDropped(ILogger logger, string directory, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Jump host {Host}:{Port} presented host key {KeyType} {Fingerprint}")]
    public static partial void JumpHostKeySeen(ILogger logger, string host, int port, string keyType, string fingerprint);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to jump host {Host}:{Port} as {User}, forwarding to SFTP {TargetHost}:{TargetPort}")]
    public static partial void JumpHostConnected(ILogger logger, string host, int port, string user, string targetHost, int targetPort);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a second connection to the local end of the jump host tunnel, from {OriginatorHost}:{OriginatorPort}")]
    public static partial void TunnelConnectionRefused(ILogger logger, string originatorHost, uint originatorPort);
}
