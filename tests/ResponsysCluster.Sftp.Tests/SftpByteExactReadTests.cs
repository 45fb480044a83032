using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.TestServers;
using Xunit.Abstractions;

namespace ResponsysCluster.Sftp.Tests;

/// <summary>
/// Files larger than the read-ahead's 4 MiB pause threshold, of random bytes, read through
/// <see cref="SftpExportDirectory.OpenReadAsync"/> and compared by SHA-256 with what was written: one after
/// another and all at once over one kept connection, at once over a connection each, after an abandoned read,
/// and through a reader slow enough for the read-ahead to pause.
/// </summary>
[Collection(SftpCollection.Name)]
public sealed class SftpByteExactReadTests(SftpServer server, ITestOutputHelper output) : IDisposable
{
    private readonly List<ExportDirectory> created = [];
    private const long PauseThreshold = 4 * 1024 * 1024;

    // Above the pause threshold, none a multiple of the 64 KiB read size.
    private static readonly int[] Sizes = [9 * 1024 * 1024 + 17, 13_000_001, 20_000_000 - 3];

    private sealed record WrittenFile(RemoteFile File, byte[] Sha256);

    [Fact(Timeout = Timeouts.Transfer)]
    public async Task Should_read_large_files_byte_for_byte_one_after_another_over_one_connection()
    {
        var (exports, files) = await WriteRandomFilesAsync(seed: 1);
        await using var directory = await ConnectAsync(exports);
        foreach (var file in files)
            Assert.Equal(file.Sha256, await Sha256OfAsync(directory, file.File, seed: file.File.Name.Length));
    }

    [Fact(Timeout = Timeouts.Transfer)]
    public async Task Should_read_large_files_byte_for_byte_all_at_once_over_one_connection()
    {
        var (exports, files) = await WriteRandomFilesAsync(seed: 2);
        await using var directory = await ConnectAsync(exports);
        var read = await Task.WhenAll(files.Select((f, i) => Task.Run(() => Sha256OfAsync(directory, f.File, seed: i))));
        Assert.Equal(files.Select(f => f.Sha256), read);
    }

    [Fact(Timeout = Timeouts.Transfer)]
    public async Task Should_read_large_files_byte_for_byte_all_at_once_over_a_fresh_connection_each()
    {
        var (exports, files) = await WriteRandomFilesAsync(seed: 3);
        var read = await Task.WhenAll(files.Select((f, i) => Task.Run(async () =>
        {
            await using var directory = await ConnectAsync(exports);
            return await Sha256OfAsync(directory, f.File, seed: i);
        })));
        Assert.Equal(files.Select(f => f.Sha256), read);
    }

    [Fact(Timeout = Timeouts.Transfer)]
    public async Task Should_read_a_file_byte_for_byte_after_another_was_abandoned_mid_read_on_the_same_connection()
    {
        // Discovery samples a file and drops it with the read-ahead still running; the connection then reads on.
        var (exports, files) = await WriteRandomFilesAsync(seed: 4);
        await using var directory = await ConnectAsync(exports);
        for (var round = 0; round < 4; round++)
        {
            var abandoned = files[round % files.Count];
            await using (var stream = await directory.OpenReadAsync(abandoned.File, CancellationToken.None))
            {
                var buffer = new byte[100_000 * (round + 1)];
                await stream.ReadAtLeastAsync(buffer, buffer.Length);
            }
            var next = files[(round + 1) % files.Count];
            Assert.Equal(next.Sha256, await Sha256OfAsync(directory, next.File, seed: round));
        }
    }

    [Fact(Timeout = Timeouts.Transfer)]
    public async Task Should_read_ahead_a_full_window_of_a_reader_that_stops_then_pause_and_resume_byte_for_byte()
    {
        var (exports, files) = await WriteRandomFilesAsync(seed: 5);
        var largest = files.MaxBy(f => f.File.Size)!;
        await using var proxy = new TcpCountingProxy(server.Port);
        var config = ConnectionConfigs.WithKey(server, exports.Path) with { Port = proxy.Port };
        await using var directory = await new SftpConnector(config, NullLogger.Instance).ConnectAsync(CancellationToken.None);
        var before = proxy.BytesFromServer;

        await using var stream = await directory.OpenReadAsync(largest.File, CancellationToken.None);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // A reader that has taken 6 MiB has earned the whole window; then it takes nothing for a while.
        var taken = new byte[6 * 1024 * 1024];
        await stream.ReadExactlyAsync(taken);
        hash.AppendData(taken);

        var transferred = await Poll.UntilStableAsync(() => proxy.BytesFromServer - before,
            atLeast: taken.Length + PauseThreshold, stableFor: TimeSpan.FromSeconds(1), deadline: TimeSpan.FromSeconds(60));
        output.WriteLine($"{transferred} bytes came from the server while the reader held {taken.Length} of {largest.File.Size}");
        Assert.True(transferred < largest.File.Size, $"the whole {largest.File.Size}-byte file came while the reader held {taken.Length} bytes");

        await HashRestAsync(stream, hash, new Random(5));
        Assert.Equal(largest.Sha256, hash.GetHashAndReset());
    }

    [Fact(Timeout = Timeouts.Transfer)]
    public async Task Should_read_ahead_little_of_a_reader_that_stops_at_the_start()
    {
        var (exports, files) = await WriteRandomFilesAsync(seed: 6);
        await using var proxy = new TcpCountingProxy(server.Port);
        var config = ConnectionConfigs.WithKey(server, exports.Path) with { Port = proxy.Port };
        await using var directory = await new SftpConnector(config, NullLogger.Instance).ConnectAsync(CancellationToken.None);
        var before = proxy.BytesFromServer;

        await using (var stream = await directory.OpenReadAsync(files[0].File, CancellationToken.None))
        {
            var first = new byte[100_000];
            await stream.ReadExactlyAsync(first);
            // As a sample would: 100 kB taken, then nothing until the stream is dropped.
            var transferred = await Poll.UntilStableAsync(() => proxy.BytesFromServer - before,
                atLeast: first.Length, stableFor: TimeSpan.FromSeconds(1), deadline: TimeSpan.FromSeconds(60));
            output.WriteLine($"{transferred} bytes came from the server while the reader held {first.Length} of {files[0].File.Size}");
            Assert.True(transferred < 1024 * 1024, $"{transferred} bytes came while the reader held {first.Length}");
        }
    }

    /// <summary>Tens of megabytes a test: removed when it ends.</summary>
    public void Dispose()
    {
        foreach (var exports in created) Directory.Delete(exports.Path, recursive: true);
    }

    private async Task<IExportDirectory> ConnectAsync(ExportDirectory exports) =>
        await new SftpConnector(ConnectionConfigs.WithKey(server, exports.Path), NullLogger.Instance).ConnectAsync(CancellationToken.None);

    private async Task<(ExportDirectory Exports, IReadOnlyList<WrittenFile> Files)> WriteRandomFilesAsync(int seed)
    {
        var exports = server.CreateExportDirectory();
        created.Add(exports);
        var random = new Random(seed);
        var hashes = new Dictionary<string, byte[]>();
        foreach (var (size, i) in Sizes.Select((s, i) => (s, i)))
        {
            var bytes = new byte[size];
            random.NextBytes(bytes);
            var name = $"RANDOM_{i}.csv";
            exports.WriteBytes(name, bytes);
            hashes[name] = SHA256.HashData(bytes);
        }
        await using var directory = await ConnectAsync(exports);
        var listed = await directory.ListAsync(CancellationToken.None);
        return (exports, listed.OrderBy(f => f.Name).Select(f => new WrittenFile(f, hashes[f.Name])).ToList());
    }

    /// <summary>Reads the whole file in pieces of varying size, as a CSV parser's buffer refills would.</summary>
    private static async Task<byte[]> Sha256OfAsync(IExportDirectory directory, RemoteFile file, int seed)
    {
        await using var stream = await directory.OpenReadAsync(file, CancellationToken.None);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var read = await HashRestAsync(stream, hash, new Random(seed));
        Assert.Equal(file.Size, read);
        return hash.GetHashAndReset();
    }

    private static async Task<long> HashRestAsync(Stream stream, IncrementalHash hash, Random sizes)
    {
        var buffer = new byte[256 * 1024];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory(0, sizes.Next(1, buffer.Length + 1)))) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }
        return total;
    }
}
