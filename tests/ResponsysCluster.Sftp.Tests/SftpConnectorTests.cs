using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Sftp.Tests;

[Collection(SftpCollection.Name)]
public sealed class SftpConnectorTests(SftpServer server)
{
    /// <summary>The production policy's shape (1, 2, 4, 8, 16, 16 s) at a tenth of its delays, so a test takes seconds.</summary>
    private static readonly ConnectRetryPolicy TenthOfDefault = new(
        ConnectRetryPolicy.Default.FirstDelay / 10, ConnectRetryPolicy.Default.MaxDelay / 10, ConnectRetryPolicy.Default.Budget / 10);

    private static async Task<IReadOnlyList<string>> ListNamesAsync(ConnectionConfig config, ConnectRetryPolicy? retry = null, ILogger? logger = null)
    {
        await using var directory = await new SftpConnector(config, logger ?? NullLogger.Instance, retry).ConnectAsync(CancellationToken.None);
        return (await directory.ListAsync(CancellationToken.None)).Select(f => f.Name).Order().ToList();
    }

    [Theory(Timeout = Timeouts.EndToEnd)]
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

    [Theory(Timeout = Timeouts.EndToEnd)]
    [InlineData("rsa_passphrase")]
    [InlineData("ed25519_passphrase")]
    public async Task Should_log_in_with_a_passphrase_protected_key(string key)
    {
        var exports = server.CreateExportDirectory();
        exports.Write("LIST.csv", "A\n1\n");
        Assert.Equal(["LIST.csv"], await ListNamesAsync(ConnectionConfigs.WithKey(server, exports.Path, key, server.Passphrase)));
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_name_the_passphrase_key_when_it_is_missing()
    {
        var exports = server.CreateExportDirectory();
        var error = await Assert.ThrowsAsync<ConfigException>(() => ListNamesAsync(ConnectionConfigs.WithKey(server, exports.Path, "rsa_passphrase")));
        Assert.Equal("private_key_passphrase", error.Key);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_name_the_passphrase_key_when_it_is_wrong()
    {
        var exports = server.CreateExportDirectory();
        var error = await Assert.ThrowsAsync<ConfigException>(() =>
            ListNamesAsync(ConnectionConfigs.WithKey(server, exports.Path, "ed25519_passphrase", "not-the-passphrase")));
        Assert.Equal("private_key_passphrase", error.Key);
        Assert.DoesNotContain("not-the-passphrase", error.Message);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_log_in_with_a_password()
    {
        var exports = server.CreateExportDirectory();
        exports.Write("LIST.csv", "A\n1\n");
        Assert.Equal(["LIST.csv"], await ListNamesAsync(ConnectionConfigs.WithPassword(server, exports.Path, server.Password)));
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_refuse_an_unauthorized_key_with_the_tap_responsys_message_after_one_attempt()
    {
        var exports = server.CreateExportDirectory();
        await using var proxy = new TcpCountingProxy(server.Port);
        var config = ConnectionConfigs.WithKey(server, exports.Path, "unauthorized") with { Port = proxy.Port };
        var error = await Assert.ThrowsAsync<SftpAccessException>(() => ListNamesAsync(config, TenthOfDefault));
        Assert.Equal(
            "Message from SFTP server: Authentication failed. - Please ensure that the server is configured to accept the public key for this integration.",
            error.Message);
        // A retry under this policy would come within 0.1 s; ConnectAsync has returned, so no attempt can follow.
        Assert.Single(proxy.Connections);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_refuse_a_wrong_password_after_one_attempt_without_echoing_it()
    {
        var exports = server.CreateExportDirectory();
        await using var proxy = new TcpCountingProxy(server.Port);
        var config = ConnectionConfigs.WithPassword(server, exports.Path, "wrong-password-123") with { Port = proxy.Port };
        var log = new TimedLog();
        var error = await Assert.ThrowsAsync<SftpAccessException>(() => ListNamesAsync(config, TenthOfDefault, log));
        Assert.Equal(SftpAccessException.AuthenticationFailedMessage, error.Message);
        Assert.DoesNotContain("wrong-password-123", error.ToString());
        Assert.DoesNotContain(log.Entries, e => e.Message.Contains("wrong-password-123"));
        Assert.Single(proxy.Connections);
        Assert.DoesNotContain(log.Entries, e => e.Message.Contains("retrying"));
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_accept_the_pinned_host_key()
    {
        var exports = server.CreateExportDirectory();
        exports.Write("LIST.csv", "A\n1\n");
        Assert.Single(await ListNamesAsync(ConnectionConfigs.WithKey(server, exports.Path, fingerprint: server.HostKeyFingerprint)));
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_refuse_a_different_host_key_after_one_attempt_and_show_both_fingerprints()
    {
        var exports = server.CreateExportDirectory();
        await using var proxy = new TcpCountingProxy(server.Port);
        const string expected = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        var config = ConnectionConfigs.WithKey(server, exports.Path, fingerprint: expected) with { Port = proxy.Port };
        var error = await Assert.ThrowsAsync<SftpAccessException>(() => ListNamesAsync(config, TenthOfDefault));
        Assert.Contains(expected, error.Message);
        Assert.Contains(server.HostKeyFingerprint, error.Message);
        Assert.Contains("before logging in", error.Message);
        Assert.Single(proxy.Connections);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_say_which_directory_does_not_exist()
    {
        var missing = server.CreateExportDirectory().Path + "/no-such-dir";
        var error = await Assert.ThrowsAsync<SftpAccessException>(() => ListNamesAsync(ConnectionConfigs.WithKey(server, missing)));
        Assert.Equal($"Directory '{missing}' does not exist", error.Message);
    }

    [Fact]
    public void Should_test_retries_with_the_production_policys_shape_at_a_tenth_of_its_delays()
    {
        Assert.Equal(ConnectRetryPolicy.Default.Delays().Select(d => d / 10), TenthOfDefault.Delays());
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_try_a_refused_port_seven_times_with_doubling_delays_then_give_up()
    {
        using var refusing = new RefusingPort();
        var config = ConnectionConfigs.WithKey(server, "/") with { Port = refusing.Port };
        var log = new TimedLog();

        var error = await Assert.ThrowsAsync<SftpAccessException>(() => ListNamesAsync(config, TenthOfDefault, log));
        var gaveUpAt = log.Now;

        Assert.StartsWith($"Could not connect to SFTP {server.Host}:{refusing.Port}:", error.Message);
        // Nothing listens, so no server sees the attempts: each failed attempt but the last logs its retry, at once.
        var failures = log.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.Contains("retrying in")).ToList();
        var expected = TenthOfDefault.Delays().ToList();
        Assert.Equal(expected.Count, failures.Count);
        Assert.All(failures.Zip(expected), pair => Assert.EndsWith($"retrying in {pair.Second.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s", pair.First.Message));
        var failedAt = failures.Select(f => f.At).Append(gaveUpAt).ToList();
        AssertSpacing(expected, failedAt);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_retry_reset_connections_with_doubling_delays_until_the_budget_is_spent()
    {
        // Every connection is accepted and reset at once: the proxy sees and times every attempt.
        await using var proxy = new TcpCountingProxy(server.Port, resetFirst: int.MaxValue);
        var config = ConnectionConfigs.WithKey(server, "/") with { Port = proxy.Port };

        var error = await Assert.ThrowsAsync<SftpAccessException>(() => ListNamesAsync(config, TenthOfDefault));

        Assert.StartsWith("Could not connect to SFTP", error.Message);
        var expected = TenthOfDefault.Delays().ToList();
        var attempts = proxy.Connections;
        Assert.Equal(expected.Count + 1, attempts.Count);
        AssertSpacing(expected, attempts.Select(a => a.AcceptedAt).ToList());
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_retry_with_doubling_delays_until_the_server_accepts_the_connection()
    {
        var exports = server.CreateExportDirectory();
        exports.Write("LIST.csv", "A\n1\n");
        // The first three connections are reset, as by a server still starting; the fourth reaches the real sshd.
        await using var proxy = new TcpCountingProxy(server.Port, resetFirst: 3);
        var config = ConnectionConfigs.WithKey(server, exports.Path) with { Port = proxy.Port };

        Assert.Equal(["LIST.csv"], await ListNamesAsync(config, TenthOfDefault));

        var attempts = proxy.Connections;
        Assert.Equal([true, true, true, false], attempts.Select(a => a.WasReset));
        AssertSpacing(TenthOfDefault.Delays().Take(3).ToList(), attempts.Select(a => a.AcceptedAt).ToList());
    }

    /// <summary>
    /// Consecutive attempts are at least the policy's delay apart (a delay never ends early), and all of them
    /// together take at most two seconds more than the delays add up to (connecting, and a loaded machine).
    /// </summary>
    private static void AssertSpacing(IReadOnlyList<TimeSpan> delays, IReadOnlyList<TimeSpan> attemptTimes)
    {
        Assert.Equal(delays.Count + 1, attemptTimes.Count);
        for (var i = 0; i < delays.Count; i++)
        {
            var gap = attemptTimes[i + 1] - attemptTimes[i];
            Assert.True(gap >= delays[i] - TimeSpan.FromMilliseconds(5),
                $"attempt {i + 2} came {gap.TotalMilliseconds:F0} ms after attempt {i + 1}; the policy waits {delays[i].TotalMilliseconds} ms");
        }
        var total = attemptTimes[^1] - attemptTimes[0];
        var planned = delays.Aggregate(TimeSpan.Zero, (sum, d) => sum + d);
        Assert.True(total <= planned + TimeSpan.FromSeconds(2),
            $"the attempts spanned {total.TotalMilliseconds:F0} ms; the delays add up to {planned.TotalMilliseconds} ms");
    }
}
