using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Sftp.Tests;

/// <summary>
/// Kept connections against the real sshd, counted through a <see cref="TcpCountingProxy"/>: reused while
/// healthy, dropped after any failure or when idle too long, never closed under a user.
/// </summary>
[Collection(SftpCollection.Name)]
public sealed class SftpConnectionPoolTests(SftpServer server) : IDisposable
{
    private readonly List<ExportDirectory> created = [];

    private static readonly byte[] Small = RandomNumberGenerator.GetBytes(200_000);
    private static readonly byte[] Large = RandomNumberGenerator.GetBytes(9 * 1024 * 1024 + 7);

    [Fact(Timeout = Timeouts.Transfer)]
    public async Task Should_read_files_one_after_another_over_one_kept_connection()
    {
        var (_, proxy, pool) = Start();
        await using var __ = proxy;
        await using var ___ = pool;

        for (var i = 0; i < 5; i++)
        {
            await using var directory = await pool.ConnectAsync(CancellationToken.None);
            var file = (await directory.ListAsync(CancellationToken.None)).Single(f => f.Name == "SMALL.dat");
            Assert.Equal(SHA256.HashData(Small), await Sha256Async(directory, file));
        }

        Assert.Equal(1, pool.ConnectionsOpened);
        Assert.Single(proxy.Connections);
        Assert.Equal(1, pool.IdleCount);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_drop_a_connection_on_which_an_operation_failed()
    {
        var (exports, proxy, pool) = Start();
        await using var _ = proxy;
        await using var __ = pool;

        await using (var directory = await pool.ConnectAsync(CancellationToken.None))
        {
            var file = (await directory.ListAsync(CancellationToken.None)).Single(f => f.Name == "SMALL.dat");
            exports.Delete("SMALL.dat");
            await Assert.ThrowsAsync<ExportFileException>(() => directory.OpenReadAsync(file, CancellationToken.None));
        }

        Assert.Equal(0, pool.IdleCount);
        await using (var next = await pool.ConnectAsync(CancellationToken.None))
            await next.ListAsync(CancellationToken.None);
        Assert.Equal(2, pool.ConnectionsOpened);
        Assert.Equal(2, proxy.Connections.Count);
    }

    [Fact(Timeout = Timeouts.Transfer)]
    public async Task Should_drop_a_connection_whose_read_was_cancelled_mid_file()
    {
        var (_, proxy, pool) = Start();
        await using var __ = proxy;
        await using var ___ = pool;

        await using (var directory = await pool.ConnectAsync(CancellationToken.None))
        {
            using var cancel = new CancellationTokenSource();
            var file = (await directory.ListAsync(CancellationToken.None)).Single(f => f.Name == "LARGE.dat");
            await using var stream = await directory.OpenReadAsync(file, cancel.Token);
            await stream.ReadExactlyAsync(new byte[1024 * 1024]);
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.CopyToAsync(Stream.Null));
        }

        Assert.Equal(0, pool.IdleCount);
        Assert.Equal(1, pool.ConnectionsOpened);
    }

    [Fact(Timeout = Timeouts.Transfer)]
    public async Task Should_drop_a_connection_that_broke_under_a_read()
    {
        var (_, proxy, pool) = Start();
        await using var ___ = pool;

        await using (var directory = await pool.ConnectAsync(CancellationToken.None))
        {
            var file = (await directory.ListAsync(CancellationToken.None)).Single(f => f.Name == "LARGE.dat");
            await using var stream = await directory.OpenReadAsync(file, CancellationToken.None);
            await stream.ReadExactlyAsync(new byte[1024 * 1024]);
            await proxy.DisposeAsync(); // the network drops the connection mid-file
            await Assert.ThrowsAnyAsync<Exception>(() => stream.CopyToAsync(Stream.Null));
        }

        Assert.Equal(0, pool.IdleCount);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_drop_a_connection_on_which_a_read_stopped_before_the_end_of_its_file()
    {
        // A reader stops early when its load failed (a bad record, a failed COPY) or gave up: the pool cannot
        // tell which, so it does not bet the next file on that session.
        var (_, proxy, pool) = Start();
        await using var _ = proxy;
        await using var __ = pool;

        await using (var directory = await pool.ConnectAsync(CancellationToken.None))
        {
            var file = (await directory.ListAsync(CancellationToken.None)).Single(f => f.Name == "LARGE.dat");
            using var stream = await directory.OpenReadAsync(file, CancellationToken.None);
            await stream.ReadExactlyAsync(new byte[100_000]);
        }

        Assert.Equal(0, pool.IdleCount);
        await using (var again = await pool.ConnectAsync(CancellationToken.None))
        {
            var file = (await again.ListAsync(CancellationToken.None)).Single(f => f.Name == "SMALL.dat");
            Assert.Equal(SHA256.HashData(Small), await Sha256Async(again, file));
        }
        Assert.Equal(2, pool.ConnectionsOpened);
        Assert.Equal(1, pool.IdleCount);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_drop_a_connection_given_back_with_a_read_still_open()
    {
        var (_, proxy, pool) = Start();
        await using var _ = proxy;
        await using var __ = pool;

        var directory = await pool.ConnectAsync(CancellationToken.None);
        var file = (await directory.ListAsync(CancellationToken.None)).Single(f => f.Name == "LARGE.dat");
        var stream = await directory.OpenReadAsync(file, CancellationToken.None);
        await stream.ReadExactlyAsync(new byte[100_000]);
        await directory.DisposeAsync();

        Assert.Equal(0, pool.IdleCount);
        await Assert.ThrowsAnyAsync<Exception>(() => stream.CopyToAsync(Stream.Null));
        await stream.DisposeAsync();
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_close_a_connection_idle_longer_than_the_limit()
    {
        var (_, proxy, pool) = Start(new SftpConnectionPoolOptions(MaxIdle: 2, IdleLimit: TimeSpan.FromMilliseconds(300)));
        await using var _ = proxy;
        await using var __ = pool;

        await using (var directory = await pool.ConnectAsync(CancellationToken.None))
            await directory.ListAsync(CancellationToken.None);
        Assert.Equal(1, pool.IdleCount);

        await Poll.UntilAsync(() => pool.IdleCount == 0, TimeSpan.FromSeconds(20), "the idle connection to be closed");
        await using (var next = await pool.ConnectAsync(CancellationToken.None))
            await next.ListAsync(CancellationToken.None);
        Assert.Equal(2, pool.ConnectionsOpened);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_keep_at_most_the_configured_number_of_idle_connections()
    {
        var (_, proxy, pool) = Start(new SftpConnectionPoolOptions(MaxIdle: 2, IdleLimit: TimeSpan.FromMinutes(5)));
        await using var _ = proxy;
        await using var __ = pool;

        var leases = new List<IExportDirectory>();
        for (var i = 0; i < 4; i++) leases.Add(await pool.ConnectAsync(CancellationToken.None));
        foreach (var lease in leases) await lease.DisposeAsync();

        Assert.Equal(4, pool.ConnectionsOpened);
        Assert.Equal(2, pool.IdleCount);
    }

    [Fact(Timeout = Timeouts.Transfer)]
    public async Task Should_not_close_a_connection_in_use_when_the_pool_is_disposed()
    {
        var (_, proxy, pool) = Start();
        await using var _ = proxy;

        var directory = await pool.ConnectAsync(CancellationToken.None);
        var file = (await directory.ListAsync(CancellationToken.None)).Single(f => f.Name == "LARGE.dat");
        await using (var stream = await directory.OpenReadAsync(file, CancellationToken.None))
        {
            await stream.ReadExactlyAsync(new byte[1024 * 1024]);
            await pool.DisposeAsync();
            await stream.CopyToAsync(Stream.Null); // the load goes on to the end
        }
        await directory.DisposeAsync();

        Assert.Equal(0, pool.IdleCount);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => pool.ConnectAsync(CancellationToken.None));
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_refuse_a_lease_used_after_it_was_given_back()
    {
        var (_, proxy, pool) = Start();
        await using var _ = proxy;
        await using var __ = pool;

        var directory = await pool.ConnectAsync(CancellationToken.None);
        await directory.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => directory.ListAsync(CancellationToken.None));
    }

    private (ExportDirectory Exports, TcpCountingProxy Proxy, SftpConnectionPool Pool) Start(SftpConnectionPoolOptions? options = null)
    {
        var exports = server.CreateExportDirectory();
        created.Add(exports);
        exports.WriteBytes("SMALL.dat", Small);
        exports.WriteBytes("LARGE.dat", Large);
        var proxy = new TcpCountingProxy(server.Port);
        var config = ConnectionConfigs.WithKey(server, exports.Path) with { Port = proxy.Port };
        var pool = new SftpConnectionPool(new SftpConnector(config, NullLogger.Instance), options);
        return (exports, proxy, pool);
    }

    /// <summary>Random bytes, NULs among them: removed when the test ends, so no stray file stays behind.</summary>
    public void Dispose()
    {
        foreach (var exports in created) Directory.Delete(exports.Path, recursive: true);
    }

    private static async Task<byte[]> Sha256Async(IExportDirectory directory, RemoteFile file)
    {
        await using var stream = await directory.OpenReadAsync(file, CancellationToken.None);
        return await SHA256.HashDataAsync(stream);
    }
}
