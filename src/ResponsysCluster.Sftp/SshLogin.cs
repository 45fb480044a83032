using System.Text;
using Renci.SshNet;
using Renci.SshNet.Common;
using ResponsysCluster.Domain.Configuration;
using SshConnectionInfo = Renci.SshNet.ConnectionInfo;

namespace ResponsysCluster.Sftp;

/// <summary>
/// One SSH hop's address, login and pinned host key: the SFTP server's, or its jump host's. Errors about the login
/// name the config key at fault, prefixed with <c>jump_host.</c> for the jump host's.
/// </summary>
internal sealed record SshLogin(
    string Host,
    int Port,
    string Username,
    Secret? Password,
    string? PrivateKeyFile,
    Secret? PrivateKey,
    Secret? PrivateKeyPassphrase,
    string? HostKeyFingerprint,
    string KeyPrefix)
{
    internal static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);

    public static SshLogin Server(ConnectionConfig config) => new(config.Host, config.Port, config.Username, config.Password,
        config.PrivateKeyFile, config.PrivateKey, config.PrivateKeyPassphrase, config.HostKeyFingerprint, "");

    public static SshLogin JumpHost(JumpHostConfig jump) => new(jump.Host, jump.Port, jump.Username, jump.Password,
        jump.PrivateKeyFile, jump.PrivateKey, jump.PrivateKeyPassphrase, jump.HostKeyFingerprint, "jump_host.");

    /// <summary>How this hop's session is reached: at <see cref="Host"/>, or at a local port that leads to it.</summary>
    public SshConnectionInfo ConnectionInfo(string connectHost, int connectPort)
    {
        var info = new SshConnectionInfo(connectHost, connectPort, Username, AuthenticationMethods()) { Timeout = ConnectTimeout };
        PreferHardwareCiphers(info);
        return info;
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
        if (LoadPrivateKey() is { } key) methods.Add(new PrivateKeyAuthenticationMethod(Username, key));
        if (Password is { } password) methods.Add(new PasswordAuthenticationMethod(Username, password.Reveal()));
        return [.. methods];
    }

    private PrivateKeyFile? LoadPrivateKey()
    {
        var passphrase = PrivateKeyPassphrase?.Reveal();
        try
        {
            if (PrivateKeyFile is { } path)
            {
                if (!File.Exists(path)) throw new ConfigException(KeyPrefix + "private_key_file", $"file '{path}' does not exist");
                using var file = File.OpenRead(path);
                return new PrivateKeyFile(file, passphrase);
            }
            if (PrivateKey is { } inline)
            {
                using var text = new MemoryStream(Encoding.UTF8.GetBytes(inline.Reveal().Replace("\\n", "\n")));
                return new PrivateKeyFile(text, passphrase);
            }
            return null;
        }
        catch (SshPassPhraseNullOrEmptyException)
        {
            throw new ConfigException(KeyPrefix + "private_key_passphrase",
                $"the private key is protected by a passphrase; give it in {KeyPrefix}private_key_passphrase");
        }
        catch (Exception ex) when (ex is SshException or ArgumentException or FormatException or System.Security.Cryptography.CryptographicException or InvalidOperationException or NotSupportedException)
        {
            // The library's message never includes key material, but keep ours generic all the same.
            var key = passphrase is null ? (PrivateKeyFile is null ? "private_key" : "private_key_file") : "private_key_passphrase";
            throw new ConfigException(KeyPrefix + key, passphrase is null
                ? "the private key cannot be read (not a supported RSA, ECDSA or ed25519 key in PEM or OpenSSH format)"
                : "the private key cannot be read: wrong passphrase, or not a supported key format");
        }
    }
}
