using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.TestServers;
using Xunit.Abstractions;

namespace ResponsysCluster.Sftp.Tests;

/// <summary>
/// Many reads through the real read path (<see cref="SftpConnector"/> → <see cref="SftpExportDirectory.OpenReadAsync"/>
/// → read-ahead, and the CSV reader for the CSV files), several at once, over kept connections (a
/// <see cref="SftpConnectionPool"/>) and fresh ones, with reads cancelled or dropped mid-file in between: every
/// read that runs to its end must give exactly the source's bytes (SHA-256) or its records.
/// </summary>
[Collection(SftpCollection.Name)]
public sealed class SftpReadStressTests(SftpServer server, ITestOutputHelper output) : IDisposable
{
    private const int Workers = 4;
    private const int ReadsPerWorker = 50;
    private ExportDirectory? exports;

    private sealed record Source(string Name, byte[] Sha256, string? RecordsDigest, long Size);

    private enum Interruption { None, CancelMidFile, DropMidFile }

    [Fact(Timeout = 90_000)]
    public async Task Should_read_every_byte_of_many_files_at_once_over_kept_and_fresh_connections_despite_interrupted_reads()
    {
        var clock = Stopwatch.StartNew();
        exports = server.CreateExportDirectory();
        var sources = WriteSources(exports, new Random(20181001));
        var config = ConnectionConfigs.WithKey(server, exports.Path);
        var connector = new SftpConnector(config, NullLogger.Instance);
        await using var pool = new SftpConnectionPool(connector, new SftpConnectionPoolOptions(Workers, TimeSpan.FromMinutes(1)));
        RemoteFile[] listed;
        await using (var directory = await connector.ConnectAsync(CancellationToken.None))
            listed = [.. await directory.ListAsync(CancellationToken.None)];
        var byName = listed.ToDictionary(f => f.Name);

        var completed = new ConcurrentBag<string>();
        var interrupted = new ConcurrentBag<string>();
        var interruptedOnKept = 0;
        var mismatches = new ConcurrentBag<string>();
        var workers = Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            // Even workers keep their connection across files; odd ones connect afresh for each file.
            Func<CancellationToken, Task<IExportDirectory>> connect = worker % 2 == 0
                ? pool.ConnectAsync
                : async ct => await connector.ConnectAsync(ct);
            for (var i = 0; i < ReadsPerWorker; i++)
            {
                var source = sources[random.Next(sources.Count)];
                var file = byName[source.Name];
                var interruption = random.Next(6) switch { 0 => Interruption.CancelMidFile, 1 => Interruption.DropMidFile, _ => Interruption.None };
                await using var directory = await connect(CancellationToken.None);
                if (interruption != Interruption.None)
                {
                    await InterruptAsync(directory, file, interruption, random);
                    interrupted.Add(source.Name);
                    if (worker % 2 == 0) Interlocked.Increment(ref interruptedOnKept);
                    continue;
                }
                var viaCsv = source.RecordsDigest is not null && random.Next(2) == 0;
                var (actual, expected) = viaCsv
                    ? (await RecordsDigestAsync(directory, file), source.RecordsDigest!)
                    : (Convert.ToHexString(await Sha256Async(directory, file, random)), Convert.ToHexString(source.Sha256));
                if (actual != expected) mismatches.Add($"{source.Name} ({(viaCsv ? "records" : "bytes")}, worker {worker}, read {i})");
                completed.Add(source.Name);
            }
        })).ToList();
        await Task.WhenAll(workers);

        output.WriteLine($"{completed.Count} reads compared, {interrupted.Count} interrupted, {pool.ConnectionsOpened} kept connections opened, {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Empty(mismatches);
        Assert.Equal(Workers * ReadsPerWorker, completed.Count + interrupted.Count);
        Assert.NotEmpty(interrupted);
        Assert.Contains(completed, name => byName[name].Size > 4 * 1024 * 1024);
        // Kept connections were reused: a new one only replaced one dropped after an interrupted read.
        Assert.InRange(pool.ConnectionsOpened, 1, Workers / 2 + interruptedOnKept);
    }

    /// <summary>Tens of megabytes: removed when the test ends.</summary>
    public void Dispose()
    {
        if (exports is not null) Directory.Delete(exports.Path, recursive: true);
    }

    /// <summary>Small CSV files with multi-byte text and quoted newlines, binary files, and files past the 4 MiB read-ahead window.</summary>
    private static List<Source> WriteSources(ExportDirectory exports, Random random)
    {
        var sources = new List<Source>();
        for (var i = 0; i < 24; i++)
        {
            var csv = Csv(random, rows: random.Next(1, 3000));
            var bytes = Encoding.UTF8.GetBytes(csv);
            exports.WriteBytes($"SMALL_{i:D2}.csv", bytes);
            sources.Add(new Source($"SMALL_{i:D2}.csv", SHA256.HashData(bytes), LocalRecordsDigest(bytes), bytes.Length));
        }
        for (var i = 0; i < 6; i++)
        {
            var bytes = new byte[random.Next(1, 400_000)];
            random.NextBytes(bytes);
            exports.WriteBytes($"BINARY_{i}.dat", bytes);
            sources.Add(new Source($"BINARY_{i}.dat", SHA256.HashData(bytes), null, bytes.Length));
        }
        for (var i = 0; i < 3; i++)
        {
            var csv = Csv(random, rows: 60_000 + random.Next(20_000));
            var bytes = Encoding.UTF8.GetBytes(csv);
            exports.WriteBytes($"LARGE_{i}.csv", bytes);
            sources.Add(new Source($"LARGE_{i}.csv", SHA256.HashData(bytes), LocalRecordsDigest(bytes), bytes.Length));
        }
        return sources;
    }

    private static string Csv(Random random, int rows)
    {
        string[] words = ["Zoë", "Łódź", "東京", "naïve", "plain", "a,b", "say \"hi\"", "two\nlines", "€100", ""];
        var text = new StringBuilder("RIID_,EMAIL_ADDRESS_,CITY_,NOTE\n");
        for (var row = 0; row < rows; row++)
        {
            text.Append(random.NextInt64(1, 10_000_000_000)).Append(',')
                .Append("user").Append(random.Next()).Append("@example.com,")
                .Append(Quoted(words[random.Next(words.Length)])).Append(',')
                .Append(Quoted(string.Join(' ', Enumerable.Range(0, random.Next(1, 20)).Select(_ => words[random.Next(words.Length)])))).Append('\n');
        }
        return text.ToString();
    }

    private static string Quoted(string value) =>
        value.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;

    private static async Task InterruptAsync(IExportDirectory directory, RemoteFile file, Interruption interruption, Random random)
    {
        using var cancel = new CancellationTokenSource();
        await using var stream = await directory.OpenReadAsync(file, cancel.Token);
        var buffer = new byte[random.Next(1, (int)Math.Max(2, file.Size))];
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false);
        if (interruption == Interruption.CancelMidFile)
        {
            await cancel.CancelAsync();
            try
            {
                while (await stream.ReadAsync(buffer) > 0) { }
            }
            catch (OperationCanceledException)
            {
                // The point of it.
            }
        }
        Assert.True(read <= file.Size);
    }

    /// <summary>Reads the file in pieces of varying size, as a parser's buffer refills would.</summary>
    private static async Task<byte[]> Sha256Async(IExportDirectory directory, RemoteFile file, Random sizes)
    {
        await using var stream = await directory.OpenReadAsync(file, CancellationToken.None);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[128 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory(0, sizes.Next(1, buffer.Length + 1)))) > 0)
            hash.AppendData(buffer, 0, read);
        return hash.GetHashAndReset();
    }

    private static async Task<string> RecordsDigestAsync(IExportDirectory directory, RemoteFile file)
    {
        var stream = await directory.OpenReadAsync(file, CancellationToken.None);
        return RecordsDigest(stream, file.Path);
    }

    private static string LocalRecordsDigest(byte[] bytes) => RecordsDigest(new MemoryStream(bytes), "local");

    /// <summary>A SHA-256 over every record's line number and fields, as the CSV reader gives them.</summary>
    private static string RecordsDigest(Stream stream, string path)
    {
        using var reader = ExportRecordReader.Open(stream, path, new CsvFormat(',', ExportEncoding.Utf8) { RejectNul = true });
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(string.Join('\u001f', reader.Header)));
        while (reader.Read())
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"\u001e{reader.LineNumber}"));
            for (var i = 0; i < reader.FieldCount; i++)
            {
                hash.AppendData(Encoding.UTF8.GetBytes("\u001f"));
                hash.AppendData(Encoding.UTF8.GetBytes(reader.Field(i).ToString()));
            }
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
