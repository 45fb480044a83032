using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;

namespace ResponsysCluster.Sftp.Tests;

/// <summary>
/// Every file the read path opens is closed on the server, whatever the reader does: the private sshd's
/// DEBUG1 log (<see cref="LoggingSftpServer"/>) shows each open and each close while the connection stays up.
/// </summary>
[Collection(SftpCollection.Name)]
public sealed partial class ReadAheadCloseTests(LoggingSftpServer logging) : IClassFixture<LoggingSftpServer>
{
    [Fact(Timeout = Timeouts.Transfer)]
    public async Task Should_close_on_the_server_every_file_whose_stream_was_disposed_at_once()
    {
        const int Streams = 60;
        var exports = logging.CreateExportDirectory();
        exports.WriteBytes("DATA.csv", RandomNumberGenerator.GetBytes(2 * 1024 * 1024));
        var path = exports.PathOf("DATA.csv");

        await using var directory = await new SftpConnector(logging.ConfigFor(exports), NullLogger.Instance).ConnectAsync(CancellationToken.None);
        var file = (await directory.ListAsync(CancellationToken.None)).Single();
        for (var i = 0; i < Streams; i++)
        {
            var stream = await directory.OpenReadAsync(file, CancellationToken.None);
            stream.Dispose();
        }

        // Counted while the connection is still up: a handle left open is only closed ("forced close") at its end.
        await Poll.UntilAsync(() => Closes(path) >= Streams, TimeSpan.FromSeconds(60), $"{Streams} closes of {path}");
        Assert.Equal(Streams, Opens(path));
        Assert.Equal(Streams, Closes(path));
        Assert.IsType<ReadStoppedEarlyException>(directory.Fault);
    }

    [Fact(Timeout = Timeouts.Transfer)]
    public async Task Should_have_closed_the_file_on_the_server_when_DisposeAsync_returns()
    {
        var exports = logging.CreateExportDirectory();
        exports.WriteBytes("DATA.csv", RandomNumberGenerator.GetBytes(6 * 1024 * 1024));
        var path = exports.PathOf("DATA.csv");

        await using var directory = await new SftpConnector(logging.ConfigFor(exports), NullLogger.Instance).ConnectAsync(CancellationToken.None);
        var file = (await directory.ListAsync(CancellationToken.None)).Single();
        var stream = await directory.OpenReadAsync(file, CancellationToken.None);
        await stream.ReadExactlyAsync(new byte[300_000]);
        await stream.DisposeAsync();

        // The server answered the close before DisposeAsync returned; its log line may trail a little.
        await Poll.UntilAsync(() => Closes(path) == 1, TimeSpan.FromSeconds(30), $"the close of {path}");
        Assert.IsType<ReadStoppedEarlyException>(directory.Fault);
    }

    private int Opens(string path) => Lines().Count(l => OpenLine().Match(l) is { Success: true } m && m.Groups["path"].Value == path);

    private int Closes(string path) => Lines().Count(l => CloseLine().Match(l) is { Success: true } m && m.Groups["path"].Value == path);

    private string[] Lines() => File.Exists(logging.LogPath) ? File.ReadAllLines(logging.LogPath) : [];

    [GeneratedRegex("""open "(?<path>[^"]+)" flags READ""")]
    private static partial Regex OpenLine();

    // "forced close" is what the server logs for handles still open when the session ends.
    [GeneratedRegex("""(?<!forced )close "(?<path>[^"]+)" bytes read""")]
    private static partial Regex CloseLine();
}
