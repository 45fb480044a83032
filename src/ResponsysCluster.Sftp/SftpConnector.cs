using Microsoft.Extensions.Logging;
using Renci.SshNet;
using Renci.SshNet.Common;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Ports;

namespace ResponsysCluster.Sftp;

/// <summary>
/// Opens SFTP connections for a <see cref="ConnectionConfig"/>: key or password login, host-key pinning,
/// keep-alive, and retries of transient connect failures; directly, or through the connection's jump host, whose
/// session gets the same keep-alive, whose key is pinned too, and which a retry opens anew. The retry policy and the session settings are
/// <see cref="ConnectRetryPolicy.Default"/> and <see cref="SftpSessionSettings.Default"/> unless given.
/// </summary>
public sealed class SftpConnector(ConnectionConfig config, ILogger logger, ConnectRetryPolicy? retryPolicy = null,
    SftpSessionSettings? sessionSettings = null) : IExportDirectoryConnector
{
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromMinutes(2);

    private readonly ConnectRetryPolicy retry = retryPolicy ?? ConnectRetryPolicy.Default;
    private readonly SftpSessionSettings session = sessionSettings ?? SftpSessionSettings.Default;

    /// <summary>The host-key fingerprint the server presented at the latest attempt (known even when the login then failed).</summary>
    public string? PresentedHostKey { get; private set; }

    async Task<IExportDirectory> IExportDirectoryConnector.ConnectAsync(CancellationToken cancellationToken) =>
        await ConnectAsync(cancellationToken).ConfigureAwait(false);

    public async Task<SftpExportDirectory> ConnectAsync(CancellationToken cancellationToken)
    {
        var server = SshLogin.Server(config);
        var jumpHost = config.JumpHost is { } jump ? SshLogin.JumpHost(jump) : null;
        if (jumpHost is not null && server.HostKeyFingerprint is null)
            throw new ConfigException("host_key_fingerprint", "missing: a connection through jump_host pins the SFTP server's host key too");
        var through = jumpHost is null ? "" : $" through jump host {jumpHost.Host}:{jumpHost.Port}";

        using var delays = retry.Delays().GetEnumerator();
        while (true)
        {
            JumpHostTunnel? tunnel = null;
            SftpClient? client = null;
            HostKeyPin? pin = null;
            var identified = new ServerIdentification();
            try
            {
                if (jumpHost is not null)
                    tunnel = await JumpHostTunnel.OpenAsync(jumpHost, config.Host, config.Port, session, logger, cancellationToken).ConfigureAwait(false);
                client = CreateClient(server, tunnel, out pin);
                client.ServerIdentificationReceived += (_, _) => identified.Seen = true;
                await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
                LogMessages.Connected(logger, config.Host, config.Port, config.Username);
                return new SftpExportDirectory(client, config.Path, logger, tunnel);
            }
            catch (Exception ex) when (pin?.Mismatch is { } presented)
            {
                Close(client, tunnel);
                throw new SftpAccessException(
                    $"Host key mismatch for {config.Host}:{config.Port}: expected {config.HostKeyFingerprint}, the server presented {presented}. " +
                    "The connection was refused before logging in.", ex);
            }
            catch (SshAuthenticationException ex)
            {
                Close(client, tunnel);
                throw new SftpAccessException(SftpAccessException.AuthenticationFailedMessage, ex);
            }
            // Through a jump host, a channel asked for and no SSH server met at its end: the jump host could not reach
            // the server (it gives its reason only in its own log), or the server closed the connection at once.
            catch (SshConnectionException ex) when (tunnel is { ChannelRequested: true, IsConnected: true } && !identified.Seen && !cancellationToken.IsCancellationRequested)
            {
                Close(client, tunnel);
                var reason = $"jump host {jumpHost!.Host}:{jumpHost.Port} could not open a connection to it (refused, unreachable or unknown from there), " +
                    "or the server closed it at once";
                await DelayOrThrowAsync(delays, reason,
                    () => new SftpAccessException($"Could not connect to SFTP {config.Host}:{config.Port}{through}: {reason}", ex),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ConnectRetryPolicy.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                Close(client, tunnel);
                // Before the tunnel is up, it is the jump host that cannot be reached.
                var message = jumpHost is not null && tunnel is null
                    ? $"Could not connect to jump host {jumpHost.Host}:{jumpHost.Port} (on the way to SFTP {config.Host}:{config.Port}): {ex.Message}"
                    : $"Could not connect to SFTP {config.Host}:{config.Port}{through}: {ex.Message}";
                var reason = jumpHost is not null && tunnel is null ? $"jump host {jumpHost.Host}:{jumpHost.Port}: {ex.Message}" : ex.Message;
                await DelayOrThrowAsync(delays, reason, () => new SftpAccessException(message, ex), cancellationToken).ConfigureAwait(false);
            }
            // Not transient, and the socket's own words ("Name or service not known") name no host: ours do.
            catch (System.Net.Sockets.SocketException ex)
            {
                Close(client, tunnel);
                throw new SftpAccessException(jumpHost is not null && tunnel is null
                    ? $"Could not connect to jump host {jumpHost.Host}:{jumpHost.Port} (on the way to SFTP {config.Host}:{config.Port}): {ex.Message}"
                    : $"Could not connect to SFTP {config.Host}:{config.Port}: {ex.Message}", ex);
            }
            catch
            {
                Close(client, tunnel);
                throw;
            }
        }
    }

    /// <summary>Waits the policy's next delay, logging why, or throws when the retries are spent.</summary>
    private async Task DelayOrThrowAsync(IEnumerator<TimeSpan> delays, string reason, Func<Exception> giveUp, CancellationToken cancellationToken)
    {
        if (!delays.MoveNext()) throw giveUp();
        LogMessages.ConnectRetry(logger, config.Host, config.Port, reason, delays.Current.TotalSeconds);
        await Task.Delay(delays.Current, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether an SSH server answered at the end of the connection (its identification string arrived).</summary>
    private sealed class ServerIdentification
    {
        public volatile bool Seen;
    }

    private static void Close(SftpClient? client, JumpHostTunnel? tunnel)
    {
        client?.Dispose();
        tunnel?.Dispose();
    }

    /// <summary>A client for the server, connecting to it directly or to the local end of the tunnel to it.</summary>
    private SftpClient CreateClient(SshLogin server, JumpHostTunnel? tunnel, out HostKeyPin pin)
    {
        var info = tunnel is null ? server.ConnectionInfo(server.Host, server.Port) : server.ConnectionInfo("127.0.0.1", tunnel.LocalPort);
        var client = new SftpClient(info)
        {
            KeepAliveInterval = session.KeepAliveInterval,
            OperationTimeout = OperationTimeout,
            BufferSize = session.ReadBufferSize,
        };
        pin = HostKeyPin.Attach(client, server, logger, jumpHost: false);
        var seen = pin;
        client.HostKeyReceived += (_, _) => PresentedHostKey = seen.Presented;
        return client;
    }
}
