using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Sftp.Tests;

internal static class ConnectionConfigs
{
    public static ConnectionConfig WithKey(SftpServer server, string path, string key = "ed25519", string? passphrase = null, string? fingerprint = null) => new()
    {
        Host = server.Host,
        Port = server.Port,
        Username = server.User,
        Path = path,
        PrivateKeyFile = server.KeyPath(key),
        PrivateKeyPassphrase = passphrase is null ? null : new Secret(passphrase),
        HostKeyFingerprint = fingerprint,
    };

    public static ConnectionConfig WithPassword(SftpServer server, string path, string password) => new()
    {
        Host = server.Host,
        Port = server.Port,
        Username = server.User,
        Path = path,
        Password = new Secret(password),
    };
}
