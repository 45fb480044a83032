using Microsoft.Extensions.Logging;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace ResponsysCluster.Sftp;

/// <summary>
/// An SSH session to a jump host with one direct-tcpip channel to the SFTP server behind it, which the SFTP client
/// reaches at <see cref="LocalPort"/> on 127.0.0.1.
/// </summary>
/// <remarks>
/// SSH.NET 2026.0.0 gives no public way to run a client's session over a channel (its socket factory and channels
/// are internal): its own <see cref="ForwardedPortLocal"/> is the supported path. The local end is bound to
/// 127.0.0.1 on a port the system picks, and serves one connection only, the SFTP client's, which is made right
/// after it opens: any later connection to it is closed before a channel is opened for it. Whatever reaches the
/// server through it still meets the server's own pinned host key and login.
/// </remarks>
internal sealed class JumpHostTunnel : IDisposable
{
    private readonly SshClient client;
    private readonly ForwardedPortLocal port;
    private readonly ILogger logger;
    private int connections;

    private JumpHostTunnel(SshClient client, ForwardedPortLocal port, ILogger logger)
    {
        this.client = client;
        this.port = port;
        this.logger = logger;
        port.RequestReceived += OnRequestReceived;
    }

    /// <summary>The port on 127.0.0.1 that leads to the SFTP server.</summary>
    public int LocalPort => (int)port.BoundPort;

    /// <summary>
    /// Whether the SFTP client's connection reached the local end, so that a channel to the server was asked of the
    /// jump host. When the jump host refuses that channel (the server refused, unreachable or unknown from there),
    /// SSH.NET only closes the local connection, without the jump host's reason: the client sees no SSH server.
    /// </summary>
    public bool ChannelRequested => Volatile.Read(ref connections) > 0;

    /// <summary>Whether the session to the jump host is up and still forwarding.</summary>
    public bool IsConnected => client.IsConnected && port.IsStarted;

    /// <summary>The keep-alive interval of the session to the jump host.</summary>
    internal TimeSpan KeepAliveInterval => client.KeepAliveInterval;

    /// <summary>
    /// Logs in to the jump host (its host key pinned) and opens the local end of the channel to
    /// <paramref name="targetHost"/>:<paramref name="targetPort"/>. A refused host key or login is a
    /// <see cref="SftpAccessException"/> naming the jump host; a network failure is thrown as the library's, for the
    /// caller's retries.
    /// </summary>
    public static async Task<JumpHostTunnel> OpenAsync(SshLogin jumpHost, string targetHost, int targetPort,
        SftpSessionSettings session, ILogger logger, CancellationToken cancellationToken)
    {
        var client = new SshClient(jumpHost.ConnectionInfo(jumpHost.Host, jumpHost.Port)) { KeepAliveInterval = session.KeepAliveInterval };
        var pin = HostKeyPin.Attach(client, jumpHost, logger, jumpHost: true);
        try
        {
            await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (pin.Mismatch is { } presented)
        {
            client.Dispose();
            throw new SftpAccessException(
                $"Host key mismatch for jump host {jumpHost.Host}:{jumpHost.Port}: expected {jumpHost.HostKeyFingerprint}, the jump host presented {presented}. " +
                "The connection was refused before logging in.", ex);
        }
        catch (SshAuthenticationException ex)
        {
            client.Dispose();
            throw new SftpAccessException(
                $"Jump host {jumpHost.Host}:{jumpHost.Port} refused the login of {jumpHost.Username} ({ex.Message.TrimEnd('.')}): " +
                "check jump_host.username and its key or password", ex);
        }
        catch
        {
            client.Dispose();
            throw;
        }

        var port = new ForwardedPortLocal("127.0.0.1", 0, targetHost, (uint)targetPort);
        try
        {
            client.AddForwardedPort(port);
            var tunnel = new JumpHostTunnel(client, port, logger);
            port.Start();
            LogMessages.JumpHostConnected(logger, jumpHost.Host, jumpHost.Port, jumpHost.Username, targetHost, targetPort);
            return tunnel;
        }
        catch
        {
            port.Dispose();
            client.Dispose();
            throw;
        }
    }

    /// <summary>Stops forwarding (which ends the channel) and disconnects from the jump host.</summary>
    public void Dispose()
    {
        try
        {
            if (port.IsStarted) port.Stop();
        }
        catch (Exception ex) when (ex is SshException or ObjectDisposedException or InvalidOperationException)
        {
            // The session under it is gone already: nothing is left to stop.
        }
        port.Dispose();
        if (client.IsConnected) client.Disconnect();
        client.Dispose();
    }

    // The one connection the local end serves is the SFTP client's; throwing here makes the forwarded port close any
    // other before it opens a channel for it.
    private void OnRequestReceived(object? sender, PortForwardEventArgs e)
    {
        if (Interlocked.Increment(ref connections) == 1) return;
        LogMessages.TunnelConnectionRefused(logger, e.OriginatorHost, e.OriginatorPort);
        throw new InvalidOperationException("The tunnel to the SFTP server serves one connection only.");
    }
}
