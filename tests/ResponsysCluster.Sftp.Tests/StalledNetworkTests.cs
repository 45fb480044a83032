using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Sftp.Tests;

/// <summary>
/// A worker that stops while the network has stalled under a read (a node shutting down, a cancelled load) must
/// not wait out the server's silence: its connection ends within a few seconds, kept or not.
/// </summary>
[Collection(SftpCollection.Name)]
public sealed class StalledNetworkTests(SftpServer server) : IDisposable
{
    private static readonly TimeSpan Quickly = TimeSpan.FromSeconds(8);
    private readonly ExportDirectory exports = server.CreateExportDirectory();

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_disconnect_within_seconds_when_the_network_stalls_under_an_open_read()
    {
        await using var proxy = new StallingProxy(server.Port);
        var directory = await new SftpConnector(Config(proxy), NullLogger.Instance).ConnectAsync(CancellationToken.None);
        var stream = await OpenLargeAsync(directory);

        proxy.Stall();
        var clock = Stopwatch.StartNew();
        stream.Dispose(); // as the CSV reader disposes it when its load is cancelled
        await directory.DisposeAsync();

        Assert.True(clock.Elapsed < Quickly, $"the disconnect took {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_drop_a_kept_connection_within_seconds_when_the_network_stalls_under_an_open_read()
    {
        await using var proxy = new StallingProxy(server.Port);
        await using var pool = new SftpConnectionPool(new SftpConnector(Config(proxy), NullLogger.Instance));
        var directory = await pool.ConnectAsync(CancellationToken.None);
        var stream = await OpenLargeAsync(directory);

        proxy.Stall();
        var clock = Stopwatch.StartNew();
        stream.Dispose();
        await directory.DisposeAsync();

        Assert.True(clock.Elapsed < Quickly, $"giving the connection back took {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(0, pool.IdleCount);
    }

    public void Dispose() => Directory.Delete(exports.Path, recursive: true);

    private Domain.Configuration.ConnectionConfig Config(StallingProxy proxy) =>
        ConnectionConfigs.WithKey(server, exports.Path) with { Port = proxy.Port };

    private async Task<Stream> OpenLargeAsync(Domain.Files.IExportDirectory directory)
    {
        exports.WriteBytes("LARGE.dat", RandomNumberGenerator.GetBytes(8 * 1024 * 1024));
        var file = (await directory.ListAsync(CancellationToken.None)).Single();
        var stream = await directory.OpenReadAsync(file, CancellationToken.None);
        await stream.ReadExactlyAsync(new byte[100_000]);
        return stream;
    }
}
