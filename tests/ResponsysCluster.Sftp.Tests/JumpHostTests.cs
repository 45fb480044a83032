using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Sftp.Tests;

/// <summary>
/// Connections through a jump host: the test SFTP server behind a <see cref="BastionOnlyGate"/> that only the
/// bastion's forwarded connections pass, and a second sshd as the bastion (<see cref="BastionServer"/>).
/// </summary>
[Collection(SftpCollection.Name)]
public sealed class JumpHostTests(SftpServer server, BastionServer bastion) : IClassFixture<BastionServer>, IDisposable
{
    private static readonly ConnectRetryPolicy TenthOfDefault = new(
        ConnectRetryPolicy.Default.FirstDelay / 10, ConnectRetryPolicy.Default.MaxDelay / 10, ConnectRetryPolicy.Default.Budget / 10);

    private readonly ExportDirectory exports = server.CreateExportDirectory();

    public void Dispose() => Directory.Delete(exports.Path, recursive: true);

    /// <summary>The server at <paramref name="port"/>, logged into with its own key, reached through the bastion.</summary>
    private ConnectionConfig Through(int port, JumpHostConfig? jumpHost = null) =>
        ConnectionConfigs.WithKey(server, exports.Path, fingerprint: server.HostKeyFingerprint) with
        {
            Port = port,
            JumpHost = jumpHost ?? bastion.JumpHost(),
        };

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_read_a_file_from_a_server_that_only_the_bastion_reaches_as_the_bastions_log_shows()
    {
        exports.Write("LIST_20240101.csv", "A,B\n1,2\n");
        await using var gate = new BastionOnlyGate(server.Port, bastion.User);
        var config = Through(gate.Port);

        // Directly, the server cannot be reached at this address: the gate closes the test's own connection.
        await Assert.ThrowsAsync<SftpAccessException>(() =>
            new SftpConnector(config with { JumpHost = null }, NullLogger.Instance, ConnectRetryPolicy.None).ConnectAsync(CancellationToken.None));
        Assert.Equal(0, gate.Admitted);

        var log = new ListLogger();
        await using (var directory = await new SftpConnector(config, log).ConnectAsync(CancellationToken.None))
        {
            var file = Assert.Single(await directory.ListAsync(CancellationToken.None));
            await using var stream = await directory.OpenReadAsync(file, CancellationToken.None);
            Assert.Equal("A,B\n1,2\n", await new StreamReader(stream).ReadToEndAsync());
        }

        Assert.Equal(1, gate.Admitted);
        await Poll.UntilAsync(() => bastion.ForwardsTo(gate.Port).Count == 1, TimeSpan.FromSeconds(5), "the bastion's log of the forward");
        Assert.Contains(log.Entries, e => e.Message == $"Jump host {bastion.Host}:{bastion.Port} presented host key ssh-ed25519 {bastion.HostKeyFingerprint}");
        Assert.Contains(log.Entries, e => e.Message == $"SFTP server {server.Host}:{gate.Port} presented host key ssh-ed25519 {server.HostKeyFingerprint}");
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_keep_both_hops_alive()
    {
        await using var gate = new BastionOnlyGate(server.Port, bastion.User);
        var settings = new SftpSessionSettings(TimeSpan.FromSeconds(7), 64 * 1024);
        await using var directory = await new SftpConnector(Through(gate.Port), NullLogger.Instance, sessionSettings: settings).ConnectAsync(CancellationToken.None);

        Assert.Equal(TimeSpan.FromSeconds(7), directory.KeepAliveInterval);
        Assert.Equal(TimeSpan.FromSeconds(7), directory.Tunnel!.KeepAliveInterval);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_refuse_a_different_bastion_key_after_one_attempt_naming_the_bastion_and_both_fingerprints()
    {
        await using var gate = new BastionOnlyGate(server.Port, bastion.User);
        await using var proxy = new TcpCountingProxy(bastion.Port);
        const string expected = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        var config = Through(gate.Port, bastion.JumpHost(expected, proxy.Port));

        var error = await Assert.ThrowsAsync<SftpAccessException>(() =>
            new SftpConnector(config, NullLogger.Instance, TenthOfDefault).ConnectAsync(CancellationToken.None));

        Assert.Equal(
            $"Host key mismatch for jump host {bastion.Host}:{proxy.Port}: expected {expected}, the jump host presented {bastion.HostKeyFingerprint}. " +
            "The connection was refused before logging in.", error.Message);
        Assert.Single(proxy.Connections);
        Assert.Equal(0, gate.Admitted);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_refuse_a_login_the_bastion_does_not_accept_after_one_attempt_naming_the_bastion()
    {
        await using var gate = new BastionOnlyGate(server.Port, bastion.User);
        // The SFTP server's key: the bastion has its own and does not accept this one.
        var config = Through(gate.Port, bastion.JumpHost() with { PrivateKeyFile = server.KeyPath("ed25519") });

        var error = await Assert.ThrowsAsync<SftpAccessException>(() =>
            new SftpConnector(config, NullLogger.Instance, TenthOfDefault).ConnectAsync(CancellationToken.None));

        Assert.StartsWith($"Jump host {bastion.Host}:{bastion.Port} refused the login of {bastion.User} (Permission denied", error.Message);
        Assert.Equal(0, gate.Admitted);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_refuse_a_different_server_key_behind_the_bastion_after_one_attempt()
    {
        await using var gate = new BastionOnlyGate(server.Port, bastion.User);
        const string expected = "SHA256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
        var config = Through(gate.Port) with { HostKeyFingerprint = expected };

        var error = await Assert.ThrowsAsync<SftpAccessException>(() =>
            new SftpConnector(config, NullLogger.Instance, TenthOfDefault).ConnectAsync(CancellationToken.None));

        Assert.Equal(
            $"Host key mismatch for {server.Host}:{gate.Port}: expected {expected}, the server presented {server.HostKeyFingerprint}. " +
            "The connection was refused before logging in.", error.Message);
        Assert.Equal(1, gate.Admitted);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_name_a_server_the_bastion_cannot_reach_and_retry_each_time_over_a_new_bastion_session()
    {
        using var refusing = new RefusingPort();
        await using var proxy = new TcpCountingProxy(bastion.Port);
        var config = Through(refusing.Port, bastion.JumpHost(port: proxy.Port));
        var log = new ListLogger();

        var error = await Assert.ThrowsAsync<SftpAccessException>(() =>
            new SftpConnector(config, log, TenthOfDefault).ConnectAsync(CancellationToken.None));

        Assert.StartsWith(
            $"Could not connect to SFTP {server.Host}:{refusing.Port} through jump host {bastion.Host}:{proxy.Port}: " +
            $"jump host {bastion.Host}:{proxy.Port} could not open a connection to it (refused, unreachable or unknown from there)", error.Message);
        var retries = TenthOfDefault.Delays().Count();
        Assert.Equal(retries, log.Entries.Count(e => e.Level == LogLevel.Warning && e.Message.Contains("could not open a connection to it")));
        // Each attempt logs in to the bastion anew, and none is left open.
        Assert.Equal(retries + 1, proxy.Connections.Count);
        await Poll.UntilAsync(() => bastion.ForwardsTo(refusing.Port).Count == retries + 1, TimeSpan.FromSeconds(5), "the bastion's log of each forward");
    }

    [Fact(Timeout = Timeouts.Transfer)]
    public async Task Should_fail_the_file_when_the_bastion_drops_mid_file_and_read_it_whole_on_the_retry()
    {
        var bytes = RandomNumberGenerator.GetBytes(32 * 1024 * 1024);
        exports.WriteBytes("BIG_20240101.csv", bytes);
        await using var gate = new BastionOnlyGate(server.Port, bastion.User);
        await using var pool = new SftpConnectionPool(new SftpConnector(Through(gate.Port), NullLogger.Instance, TenthOfDefault));

        var first = await pool.ConnectAsync(CancellationToken.None);
        var file = Assert.Single(await first.ListAsync(CancellationToken.None));
        var stream = await first.OpenReadAsync(file, CancellationToken.None);
        await stream.ReadExactlyAsync(new byte[100_000]);

        Assert.True(bastion.KillSessions() > 0);
        var failure = await Assert.ThrowsAnyAsync<Exception>(async () => await stream.CopyToAsync(Stream.Null));
        // The SFTP session under the read has lost its transport: the read fails (SSH.NET's disconnect, or the reset
        // socket, whichever it sees first), and the connection is not kept.
        Assert.True(failure is Renci.SshNet.Common.SshConnectionException or System.Net.Sockets.SocketException, $"the read failed with {failure}");
        await stream.DisposeAsync();
        await first.DisposeAsync();
        Assert.Equal(0, pool.IdleCount);

        // The retry: a new session through the bastion reads the whole file.
        await using var second = await pool.ConnectAsync(CancellationToken.None);
        await using var again = await second.OpenReadAsync(file, CancellationToken.None);
        var copy = new MemoryStream();
        await again.CopyToAsync(copy);
        Assert.True(bytes.AsSpan().SequenceEqual(copy.ToArray()), "the file read on the retry differs from the server's");
        Assert.Equal(2, gate.Admitted);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_retry_a_bastion_that_refuses_connections_then_name_it()
    {
        using var refusing = new RefusingPort();
        var config = Through(server.Port, bastion.JumpHost(port: refusing.Port));
        var log = new ListLogger();

        var error = await Assert.ThrowsAsync<SftpAccessException>(() =>
            new SftpConnector(config, log, TenthOfDefault).ConnectAsync(CancellationToken.None));

        Assert.StartsWith($"Could not connect to jump host {bastion.Host}:{refusing.Port} (on the way to SFTP {server.Host}:{server.Port}): ", error.Message);
        Assert.Equal(TenthOfDefault.Delays().Count(), log.Entries.Count(e => e.Message.Contains($"(jump host {bastion.Host}:{refusing.Port}: ")));
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_serve_only_the_sessions_own_connection_at_the_local_end_of_the_tunnel()
    {
        exports.Write("LIST_20240101.csv", "A\n1\n");
        await using var gate = new BastionOnlyGate(server.Port, bastion.User);
        var log = new ListLogger();
        await using var directory = await new SftpConnector(Through(gate.Port), log).ConnectAsync(CancellationToken.None);

        // Another local process trying the tunnel's port is closed before the bastion is asked for anything.
        using (var intruder = new System.Net.Sockets.TcpClient())
        {
            await intruder.ConnectAsync(System.Net.IPAddress.Loopback, directory.Tunnel!.LocalPort);
            Assert.Equal(0, await intruder.GetStream().ReadAsync(new byte[64]).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        }

        Assert.Single(await directory.ListAsync(CancellationToken.None));
        Assert.Equal(1, gate.Admitted);
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith("Refused a second connection to the local end of the jump host tunnel", StringComparison.Ordinal));
    }
}
