namespace ResponsysCluster.Domain.Configuration;

/// <summary>
/// The bastion (the <c>jump_host</c> key) through which a connection reaches its SFTP server: the SFTP session runs
/// over a direct-tcpip channel of an SSH session to this host. Its login is given as the server's is; its host key
/// is always pinned.
/// </summary>
public sealed record JumpHostConfig
{
    public required string Host { get; init; }
    public int Port { get; init; } = 22;
    public required string Username { get; init; }
    public Secret? Password { get; init; }
    /// <summary>Path of a private key file, <c>~</c> already expanded.</summary>
    public string? PrivateKeyFile { get; init; }
    /// <summary>Private key text given inline (not in the registry, which refuses it).</summary>
    public Secret? PrivateKey { get; init; }
    public Secret? PrivateKeyPassphrase { get; init; }
    /// <summary>The bastion's server key fingerprint, <c>SHA256:…</c> as <c>ssh-keygen -lf</c> prints it: required.</summary>
    public required string HostKeyFingerprint { get; init; }
}
