using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Sftp;

namespace ResponsysCluster.Bench.Sftp;

/// <summary>What reading every data file of a directory took.</summary>
internal sealed record SftpManyFilesResult(int Files, long Bytes, long Records, int ConnectionsOpened, double Seconds);

/// <summary>
/// Reads every data file (<c>.csv</c>, <c>.txt</c>) of the configured directory through the CSV reader, as the
/// engine's workers do: <c>workers</c> at a time, each file over a connection from <c>connect</c>, either a new
/// connection per file or one kept per worker by <see cref="SftpConnectionPool"/>. The listing is not timed.
/// </summary>
internal static class SftpManyFilesBenchmark
{
    public static async Task<SftpManyFilesResult> RunAsync(string configPath, bool keep, int workers, CancellationToken cancellationToken)
    {
        var json = await File.ReadAllTextAsync(configPath, cancellationToken);
        var config = ConnectionConfigParser.Parse(json, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)).Config;
        var connector = new SftpConnector(config, NullLogger.Instance);
        var format = CsvFormat.Of(config) with { RejectNul = true };

        IReadOnlyList<RemoteFile> files;
        await using (var lister = await connector.ConnectAsync(cancellationToken))
            files = [.. (await lister.ListAsync(cancellationToken))
                .Where(f => f.Name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || f.Name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase))
                .OrderBy(f => f.Name, StringComparer.Ordinal)];

        await using var pool = new SftpConnectionPool(connector, new SftpConnectionPoolOptions(workers, TimeSpan.FromMinutes(5)));
        var fresh = 0;
        Func<CancellationToken, Task<IExportDirectory>> connect = keep
            ? pool.ConnectAsync
            : async ct =>
            {
                Interlocked.Increment(ref fresh);
                return await connector.ConnectAsync(ct);
            };

        var queue = new ConcurrentQueue<RemoteFile>(files);
        long bytes = 0, records = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (queue.TryDequeue(out var file))
            {
                await using var directory = await connect(cancellationToken);
                var stream = await directory.OpenReadAsync(file, cancellationToken);
                using var reader = ExportRecordReader.Open(stream, file.Path, format);
                while (reader.Read()) { }
                Interlocked.Add(ref records, reader.RecordsRead);
                Interlocked.Add(ref bytes, file.Size);
            }
        }, cancellationToken)));
        var seconds = clock.Elapsed.TotalSeconds;
        return new SftpManyFilesResult(files.Count, bytes, records, keep ? pool.ConnectionsOpened : fresh, seconds);
    }
}
