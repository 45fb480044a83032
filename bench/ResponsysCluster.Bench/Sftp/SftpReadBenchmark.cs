using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Sftp;

namespace ResponsysCluster.Bench.Sftp;

/// <summary>What one read of a remote file took.</summary>
/// <param name="Bytes">Bytes read.</param>
/// <param name="ConnectSeconds">Connecting, logging in and listing the directory.</param>
/// <param name="ReadSeconds">Opening the file and reading it to the end.</param>
internal sealed record SftpReadResult(long Bytes, double ConnectSeconds, double ReadSeconds)
{
    public double TotalSeconds => ConnectSeconds + ReadSeconds;

    public static double MibPerSecond(long bytes, double seconds) => bytes / (1024.0 * 1024.0) / seconds;
}

/// <summary>
/// Reads one export file end to end through the product's SFTP adapter (<see cref="SftpConnector"/> and
/// <c>OpenReadAsync</c>'s read-ahead stream), discarding the bytes, to compare with OpenSSH's sftp client.
/// </summary>
internal static class SftpReadBenchmark
{
    private const int CopyBufferSize = 256 * 1024;

    public static async Task<SftpReadResult> RunAsync(string configPath, string fileName, CancellationToken cancellationToken)
    {
        var json = await File.ReadAllTextAsync(configPath, cancellationToken);
        var config = ConnectionConfigParser.Parse(json, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)).Config;

        var clock = Stopwatch.StartNew();
        await using var directory = await new SftpConnector(config, NullLogger.Instance).ConnectAsync(cancellationToken);
        var files = await directory.ListAsync(cancellationToken);
        var file = files.FirstOrDefault(f => f.Name == fileName)
            ?? throw new FileNotFoundException($"'{fileName}' is not in {config.Path} (found {files.Count} files)", fileName);
        var connectSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        long total = 0;
        var buffer = new byte[CopyBufferSize];
        await using (var stream = await directory.OpenReadAsync(file, cancellationToken))
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0) total += read;
        }
        var readSeconds = clock.Elapsed.TotalSeconds;

        if (total != file.Size)
            throw new InvalidOperationException($"Read {total} bytes of {file.Path}, but it was listed with {file.Size} bytes.");
        return new SftpReadResult(total, connectSeconds, readSeconds);
    }
}
