using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Sftp.Tests;

[Collection(SftpCollection.Name)]
public sealed class SftpConnectorTests(SftpServer server)
{
    private static readonly ConnectRetryPolicy QuickRetry = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(3));

    private static async Task<IReadOnlyList<string>> ListNamesAsync(ConnectionConfig config, ConnectRetryPolicy? retry = null)
    {
        await using var directory = await new SftpConnector(config, NullLogger.Instance, retry).ConnectAsync(CancellationToken.None);
        return (await directory.ListAsync(CancellationToken.None)).Select(f => f.Name).Order().ToList();
    }

    [Theory]
    [InlineData("rsa_pem")]
    [InlineData("rsa_openssh")]
    [InlineData("ed25519")]
    [InlineData("ecdsa")]
    public async Task Should_log_in_with_each_key_type(string key)
    {
        var exports = server.CreateExportDirectory();
        exports.Write("LIST.csv", "A\n1\n");
        Assert.Equal(["LIST.csv"], await ListNamesAsync(ConnectionConfigs.WithKey(server, exports.Path, key)));
    }

    [Theory]
    [InlineData("rsa_passphrase")]
    [InlineData("ed25519_passphrase")]
    public async Task Should_log_in_with_a_passphrase_protected_key(string key)
    {
        var exports = server.CreateExportDirectory();
        exports.Write("LIST.csv", "A\n1\n");
        Assert.Equal(["LIST.csv"], await ListNamesAsync(ConnectionConfigs.WithKey(server, exports.Path, key, server.Passphrase)));
    }

    [Fact]
    public async Task Should_name_the_passphrase_key_when_it_is_missing()
    {
        var exports = server.CreateExportDirectory();
        var error = await Assert.ThrowsAsync<ConfigException>(() => ListNamesAsync(ConnectionConfigs.WithKey(server, exports.Path, "rsa_passphrase")));
        Assert.Equal("private_key_passphrase", error.Key);
    }

    [Fact]
    public async Task Should_name_the_passphrase_key_when_it_is_wrong()
    {
        var exports = server.CreateExportDirectory();
        var error = await Assert.ThrowsAsync<ConfigException>(() =>
            ListNamesAsync(ConnectionConfigs.WithKey(server, exports.Path, "ed25519_passphrase", "not-the-passphrase")));
        Assert.Equal("private_key_passphrase", error.Key);
        Assert.DoesNotContain("not-the-passphrase", error.Message);
    }

    [Fact]
    public async Task Should_log_in_with_a_password()
    {
        var exports = server.CreateExportDirectory();
        exports.Write("LIST.csv", "A\n1\n");
        Assert.Equal(["LIST.csv"], await ListNamesAsync(ConnectionConfigs.WithPassword(server, exports.Path, server.Password)));
    }

    [Fact]
    public async Task Should_refuse_an_unauthorized_key_with_the_tap_responsys_message()
    {
        var exports = server.CreateExportDirectory();
        var error = await Assert.ThrowsAsync<SftpAccessException>(() => ListNamesAsync(ConnectionConfigs.WithKey(server, exports.Path, "unauthorized")));
        Assert.Equal(
            "Message from SFTP server: Authentication failed. - Please ensure that the server is configured to accept the public key for this integration.",
            error.Message);
    }

    [Fact]
    public async Task Should_refuse_a_wrong_password_without_retrying_or_echoing_it()
    {
        var exports = server.CreateExportDirectory();
        var started = DateTime.UtcNow;
        var error = await Assert.ThrowsAsync<SftpAccessException>(() =>
            ListNamesAsync(ConnectionConfigs.WithPassword(server, exports.Path, "wrong-password-123")));
        Assert.Equal(SftpAccessException.AuthenticationFailedMessage, error.Message);
        Assert.DoesNotContain("wrong-password-123", error.ToString());
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), "an authentication failure must not be retried for a minute");
    }

    [Fact]
    public async Task Should_accept_the_pinned_host_key()
    {
        var exports = server.CreateExportDirectory();
        exports.Write("LIST.csv", "A\n1\n");
        Assert.Single(await ListNamesAsync(ConnectionConfigs.WithKey(server, exports.Path, fingerprint: server.HostKeyFingerprint)));
    }

    [Fact]
    public async Task Should_refuse_a_different_host_key_and_show_both_fingerprints()
    {
        var exports = server.CreateExportDirectory();
        const string expected = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        var error = await Assert.ThrowsAsync<SftpAccessException>(() =>
            ListNamesAsync(ConnectionConfigs.WithKey(server, exports.Path, fingerprint: expected)));
        Assert.Contains(expected, error.Message);
        Assert.Contains(server.HostKeyFingerprint, error.Message);
        Assert.Contains("before logging in", error.Message);
    }

    [Fact]
    public async Task Should_say_which_directory_does_not_exist()
    {
        var missing = server.CreateExportDirectory().Path + "/no-such-dir";
        var error = await Assert.ThrowsAsync<SftpAccessException>(() => ListNamesAsync(ConnectionConfigs.WithKey(server, missing)));
        Assert.Equal($"Directory '{missing}' does not exist", error.Message);
    }

    [Fact]
    public async Task Should_give_up_on_a_refused_port_after_the_retry_budget()
    {
        var config = ConnectionConfigs.WithKey(server, "/") with { Port = FreePort() };
        var started = DateTime.UtcNow;
        var error = await Assert.ThrowsAsync<SftpAccessException>(() => ListNamesAsync(config, QuickRetry));
        Assert.Contains("Could not connect", error.Message);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(1), "it should have retried with backoff");
    }

    [Fact]
    public async Task Should_retry_until_the_server_accepts_connections()
    {
        var exports = server.CreateExportDirectory();
        exports.Write("LIST.csv", "A\n1\n");
        var port = FreePort();
        // Connections are refused for a second, then a forwarder to the real sshd starts listening.
        using var forwarder = new DelayedForwarder(port, server.Port, TimeSpan.FromSeconds(1));
        var config = ConnectionConfigs.WithKey(server, exports.Path) with { Port = port };
        Assert.Equal(["LIST.csv"], await ListNamesAsync(config, QuickRetry));
        Assert.True(forwarder.Accepted > 0);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
