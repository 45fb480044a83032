using System.Net.Sockets;
using Renci.SshNet.Common;
using Renci.SshNet.Messages.Transport;

namespace ResponsysCluster.Sftp;

/// <summary>
/// Transient connect failures (refused, reset, timed out) are retried with exponential backoff for up to about a
/// minute in all; a refused login or an unknown host key is final at once.
/// </summary>
public sealed record ConnectRetryPolicy(TimeSpan FirstDelay, TimeSpan MaxDelay, TimeSpan Budget)
{
    public static ConnectRetryPolicy Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(16), TimeSpan.FromSeconds(60));

    /// <summary>One attempt, for an operator's question that must be answered in seconds.</summary>
    public static ConnectRetryPolicy None { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.Zero);

    /// <summary>The delays between attempts: 1, 2, 4, 8, 16, 16 … seconds until the budget is spent.</summary>
    public IEnumerable<TimeSpan> Delays()
    {
        var spent = TimeSpan.Zero;
        var delay = FirstDelay;
        while (spent + delay <= Budget)
        {
            yield return delay;
            spent += delay;
            delay = delay * 2 > MaxDelay ? MaxDelay : delay * 2;
        }
    }

    public static bool IsTransient(Exception ex) => ex switch
    {
        SshAuthenticationException => false,
        SshConnectionException { DisconnectReason: DisconnectReason.HostKeyNotVerifiable } => false,
        SocketException s => s.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset
            or SocketError.TimedOut or SocketError.HostUnreachable or SocketError.NetworkUnreachable
            or SocketError.TryAgain or SocketError.ConnectionAborted,
        SshOperationTimeoutException => true,
        SshConnectionException => true,
        ProxyException => true,
        IOException => true,
        _ => false,
    };
}
