using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Sftp.Tests;

/// <summary>The README's promises for a connected session: 64 KiB reads, and a keep-alive every 30 s.</summary>
[Collection(SftpCollection.Name)]
public sealed partial class SftpSessionTests(SftpServer server, LoggingSftpServer logging) : IClassFixture<LoggingSftpServer>
{
    private const int ReadRequestLength = 64 * 1024 - 13;

    [Fact]
    public void Should_keep_alive_every_30_seconds_and_read_64_KiB_at_a_time_by_default()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), SftpSessionSettings.Default.KeepAliveInterval);
        Assert.Equal(64u * 1024, SftpSessionSettings.Default.ReadBufferSize);
    }

    /// <summary>
    /// SSH.NET asks for the buffer size less the 13 bytes of the SSH_FXP_DATA reply's own fields, so that each
    /// reply fills one 64 KiB channel packet: 65,523 bytes of file per request.
    /// </summary>
    [Fact(Timeout = Timeouts.Transfer)]
    public async Task Should_ask_the_server_for_64_KiB_less_the_reply_header_per_read_request()
    {
        var exports = logging.CreateExportDirectory();
        var bytes = RandomNumberGenerator.GetBytes(5 * 1024 * 1024 + 99);
        exports.WriteBytes("DATA.csv", bytes);

        await using (var directory = await new SftpConnector(logging.ConfigFor(exports), NullLogger.Instance).ConnectAsync(CancellationToken.None))
        {
            var file = (await directory.ListAsync(CancellationToken.None)).Single();
            await using var stream = await directory.OpenReadAsync(file, CancellationToken.None);
            await stream.CopyToAsync(Stream.Null);
        }

        var path = exports.PathOf("DATA.csv");
        var closeLine = $"close \"{path}\" bytes read {bytes.Length} written 0";
        await Poll.UntilAsync(() => File.ReadAllText(logging.LogPath).Contains(closeLine), TimeSpan.FromSeconds(30), "the server to log the close");
        var lengths = ReadRequest().Matches(File.ReadAllText(logging.LogPath))
            .Where(m => m.Groups["path"].Value == path)
            .Select(m => long.Parse(m.Groups["len"].Value)).ToList();
        Assert.True(lengths.Count >= bytes.Length / ReadRequestLength, $"only {lengths.Count} read requests for {bytes.Length} bytes");
        Assert.All(lengths, len => Assert.Equal(ReadRequestLength, len));
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_send_keep_alives_on_an_idle_connection_at_the_interval_given()
    {
        var exports = server.CreateExportDirectory();
        var interval = TimeSpan.FromMilliseconds(300);
        await using var shortProxy = new TcpCountingProxy(server.Port);
        await using var defaultProxy = new TcpCountingProxy(server.Port);
        var config = ConnectionConfigs.WithKey(server, exports.Path);
        await using var shortKeepAlive = await new SftpConnector(config with { Port = shortProxy.Port }, NullLogger.Instance,
            sessionSettings: SftpSessionSettings.Default with { KeepAliveInterval = interval }).ConnectAsync(CancellationToken.None);
        await using var defaultKeepAlive = await new SftpConnector(config with { Port = defaultProxy.Port }, NullLogger.Instance)
            .ConnectAsync(CancellationToken.None);
        await shortKeepAlive.ListAsync(CancellationToken.None);
        await defaultKeepAlive.ListAsync(CancellationToken.None);

        // From here on neither client asks anything: whatever a client sends is its keep-alive.
        var idleFrom = shortProxy.Now;
        var defaultIdleFrom = defaultProxy.Now;
        IReadOnlyList<TimeSpan> Sends() => shortProxy.Connections.Single().ClientSends.Where(t => t > idleFrom).ToList();
        await Poll.UntilAsync(() => Sends().Count >= 6, TimeSpan.FromSeconds(30), "six keep-alives");

        // On average, as one late timer tick on a loaded machine may bring the next one close.
        var sends = Sends();
        var mean = (sends[^1] - sends[0]) / (sends.Count - 1);
        Assert.InRange(mean, interval * 0.8, interval * 2);
        // The connection with the default 30 s interval stayed silent all that time.
        Assert.DoesNotContain(defaultProxy.Connections.Single().ClientSends, t => t > defaultIdleFrom);
    }

    [GeneratedRegex("""read "(?<path>[^"]+)" \(handle \d+\) off \d+ len (?<len>\d+)""")]
    private static partial Regex ReadRequest();
}
