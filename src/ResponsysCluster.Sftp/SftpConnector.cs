using System.Text;
using Microsoft.Extensions.Logging;
using Renci.SshNet;
using Renci.SshNet.Common;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Ports;
using SshConnectionInfo = Renci.SshNet.ConnectionInfo;

namespace ResponsysCluster.Sftp;

/// <summary>
/// Opens SFTP connections for a <see cref="ConnectionConfig"/>: key or password login, host-key pinning,
/// keep-alive, and retries of transient connect failures. The retry policy and the session settings are
/// <see cref="ConnectRetryPolicy.Default"/> and <see cref="SftpSessionSettings.Default"/> unless given.
/// </summary>
public sealed class SftpConnector(ConnectionConfig config, ILogger logger, ConnectRetryPolicy? retryPolicy = null,
    SftpSessionSettings? sessionSettings = null) : IExportDirectoryConnector
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromMinutes(2);

    private readonly ConnectRetryPolicy retry = retryPolicy ?? ConnectRetryPolicy.Default;
    private readonly SftpSessionSettings session = sessionSettings ?? SftpSessionSettings.Default;

    /// <summary>The host-key fingerprint the server presented at the latest attempt (known even when the login then failed).</summary>
    public string? PresentedHostKey { get; private set; }

    async Task<IExportDirectory> IExportDirectoryConnector.ConnectAsync(CancellationToken cancellationToken) =>
        await ConnectAsync(cancellationToken).ConfigureAwait(false);

    public async Task<SftpExportDirectory> ConnectAsync(CancellationToken cancellationToken)
    {
        using var delays = retry.Delays().GetEnumerator();
        while (true)
        {
            var client = CreateClient(out var hostKeyCheck);
            try
            {
                await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
                LogMessages.Connected(logger, config.Host, config.Port, config.Username);
                return new SftpExportDirectory(client, config.Path, logger);
            }
            catch (Exception ex) when (hostKeyCheck.Mismatch is { } presented)
            {
                client.Dispose();
                throw new SftpAccessException(
                    $"Host key mismatch for {config.Host}:{config.Port}: expected {config.HostKeyFingerprint}, the server presented {presented}. " +
                    "The connection was refused before logging in.", ex);
            }
            catch (SshAuthenticationException ex)
            {
                client.Dispose();
                throw new SftpAccessException(SftpAccessException.AuthenticationFailedMessage, ex);
            }
            catch (Exception ex) when (ConnectRetryPolicy.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                client.Dispose();
                if (!delays.MoveNext())
                    throw new SftpAccessException($"Could not connect to SFTP {config.Host}:{config.Port}: {ex.Message}", ex);
                LogMessages.ConnectRetry(logger, config.Host, config.Port, ex.Message, delays.Current.TotalSeconds);
                await Task.Delay(delays.Current, cancellationToken).ConfigureAwait(false);
            }
            // Not transient, and the socket's own words ("Name or service not known") name no host: ours do.
            catch (System.Net.Sockets.SocketException ex)
            {
                client.Dispose();
                throw new SftpAccessException($"Could not connect to SFTP {config.Host}:{config.Port}: {ex.Message}", ex);
            }
            catch
            {
                client.Dispose();
                throw;
            }
        }
    }

    private SftpClient CreateClient(out HostKeyCheck hostKeyCheck)
    {
        var info = new SshConnectionInfo(config.Host, config.Port, config.Username, AuthenticationMethods())
        {
            Timeout = ConnectTimeout,
        };
        PreferHardwareCiphers(info);
        var client = new SftpClient(info)
        {
            KeepAliveInterval = session.KeepAliveInterval,
            OperationTimeout = OperationTimeout,
            BufferSize = session.ReadBufferSize,
        };
        var check = new HostKeyCheck();
        client.HostKeyReceived += (_, e) =>
        {
            var fingerprint = HostKeyFingerprint.FromSha256Base64(e.FingerPrintSHA256);
            PresentedHostKey = fingerprint;
            LogMessages.HostKeySeen(logger, config.Host, config.Port, e.HostKeyName, fingerprint);
            if (config.HostKeyFingerprint is { } expected && !HostKeyFingerprint.Matches(expected, fingerprint))
            {
                check.Mismatch = fingerprint;
                e.CanTrust = false;
            }
        };
        hostKeyCheck = check;
        return client;
    }

    /// <summary>
    /// Offers AES-GCM first: it runs on the CPU's AES instructions at both ends and needs no separate MAC, where
    /// SSH.NET's default (aes128-ctr with hmac-sha2-256) costs several times more CPU per byte. Servers without
    /// GCM still negotiate the other ciphers, in SSH.NET's order.
    /// </summary>
    private static void PreferHardwareCiphers(SshConnectionInfo info)
    {
        string[] preferred = ["aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com"];
        var ciphers = info.Encryptions.ToList();
        info.Encryptions.Clear();
        foreach (var cipher in ciphers.Where(c => preferred.Contains(c.Key)).OrderBy(c => Array.IndexOf(preferred, c.Key))
                     .Concat(ciphers.Where(c => !preferred.Contains(c.Key))))
            info.Encryptions.Add(cipher.Key, cipher.Value);
    }

    private AuthenticationMethod[] AuthenticationMethods()
    {
        var methods = new List<AuthenticationMethod>();
        if (LoadPrivateKey() is { } key) methods.Add(new PrivateKeyAuthenticationMethod(config.Username, key));
        if (config.Password is { } password) methods.Add(new PasswordAuthenticationMethod(config.Username, password.Reveal()));
        return [.. methods];
    }

    private PrivateKeyFile? LoadPrivateKey()
    {
        var passphrase = config.PrivateKeyPassphrase?.Reveal();
        try
        {
            if (config.PrivateKeyFile is { } path)
            {
                if (!File.Exists(path)) throw new ConfigException("private_key_file", $"file '{path}' does not exist");
                using var file = File.OpenRead(path);
                return new PrivateKeyFile(file, passphrase);
            }
            if (config.PrivateKey is { } inline)
            {
                using var text = new MemoryStream(Encoding.UTF8.GetBytes(inline.Reveal().Replace("\\n", "\n")));
                return new PrivateKeyFile(text, passphrase);
            }
            return null;
        }
        catch (SshPassPhraseNullOrEmptyException)
        {
            throw new ConfigException("private_key_passphrase", "the private key is protected by a passphrase; give it in private_key_passphrase");
        }
        catch (Exception ex) when (ex is SshException or ArgumentException or FormatException or System.Security.Cryptography.CryptographicException or InvalidOperationException or NotSupportedException)
        {
            // The library's message never includes key material, but keep ours generic all the same.
            var key = passphrase is null ? (config.PrivateKeyFile is null ? "private_key" : "private_key_file") : "private_key_passphrase";
            throw new ConfigException(key, passphrase is null
                ? "the private key cannot be read (not a supported RSA, ECDSA or ed25519 key in PEM or OpenSSH format)"
                : "the private key cannot be read: wrong passphrase, or not a supported key format");
        }
    }

    /// <summary>What the host-key callback saw, read after a failed connect.</summary>
    private sealed class HostKeyCheck
    {
        public string? Mismatch { get; set; }
    }
}
