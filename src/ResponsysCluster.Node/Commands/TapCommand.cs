using Microsoft.Extensions.Logging;
using ResponsysCluster.Csv.Decoding;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Sftp;
using ResponsysCluster.Singer.Catalog;
using ResponsysCluster.Singer.Discovery;
using ResponsysCluster.Singer.Sync;

namespace ResponsysCluster.Node.Commands;

/// <summary>Arguments of <c>responsys-cluster tap</c>, named as Singer taps name them.</summary>
/// <param name="ValidateFirst">Read each file to its end (and check its count) before emitting any of its records.</param>
public sealed record TapArguments(string ConfigPath, bool Discover, string? CatalogPath, string? StatePath, bool ValidateFirst = false);

/// <summary>
/// The Singer-compatible tap: <c>--discover</c> writes a catalog, <c>--catalog</c> (or the older
/// <c>--properties</c>) syncs the selected streams. Messages go to stdout, logs to stderr. Exit codes as
/// <see cref="ExitCodes"/> says: 2 for a configuration or connection problem (nothing synced), 1 when files failed.
/// </summary>
public sealed class TapCommand(ILoggerFactory loggerFactory, TimeProvider clock)
{
    private readonly ILogger logger = loggerFactory.CreateLogger("tap");

    public async Task<int> RunAsync(TapArguments arguments, Stream stdout, CancellationToken cancellationToken)
    {
        try
        {
            var parsed = ConnectionConfigParser.Parse(await ReadFileAsync(arguments.ConfigPath, "config", cancellationToken),
                Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));
            foreach (var key in parsed.IgnoredKeys) logger.LogInformation("Config key '{Key}' is not used by this tap", key);
            var config = parsed.Config;

            if (arguments.Discover) return await DiscoverAsync(config, stdout, cancellationToken);
            if (arguments.CatalogPath is null)
            {
                logger.LogCritical("Give --discover, or --catalog CATALOG to sync");
                return ExitCodes.ConfigurationOrConnection;
            }
            return await SyncAsync(config, arguments, stdout, cancellationToken);
        }
        catch (Exception ex) when (ex is ConfigException or SftpAccessException or NoStreamsException or FormatException or FileNotFoundException)
        {
            logger.LogCritical("{Message}", ex.Message);
            return ExitCodes.ConfigurationOrConnection;
        }
    }

    private async Task<int> DiscoverAsync(ConnectionConfig config, Stream stdout, CancellationToken cancellationToken)
    {
        logger.LogInformation("Starting discover");
        await using var directory = new DecodedExportDirectory(await new SftpConnector(config, logger).ConnectAsync(cancellationToken), ExportFileDecoder.For(config));
        var catalog = await new TapDiscovery(config, logger).DiscoverAsync(directory, cancellationToken);
        await using (var text = new StreamWriter(stdout, leaveOpen: true))
        {
            await text.WriteLineAsync(catalog.ToJson());
        }
        logger.LogInformation("Finished discover: {Count} streams", catalog.Streams.Count);
        return ExitCodes.Success;
    }

    private async Task<int> SyncAsync(ConnectionConfig config, TapArguments arguments, Stream stdout, CancellationToken cancellationToken)
    {
        var catalog = SingerCatalog.Parse(await ReadFileAsync(arguments.CatalogPath!, "catalog", cancellationToken));
        var state = arguments.StatePath is null
            ? SingerState.Empty
            : SingerState.Parse(await ReadFileAsync(arguments.StatePath, "state", cancellationToken));

        logger.LogInformation("Starting sync");
        await using var directory = new DecodedExportDirectory(await new SftpConnector(config, logger).ConnectAsync(cancellationToken), ExportFileDecoder.For(config));
        using var writer = new SingerMessageWriter(stdout);
        var result = await new TapSync(config, writer, logger, clock, arguments.ValidateFirst).RunAsync(directory, catalog, state, cancellationToken);
        writer.Flush();

        if (result.Failures.Count == 0)
        {
            logger.LogInformation("Done syncing: {Records} records", result.Records);
            return ExitCodes.Success;
        }
        // One log line per file: a line of its own is what a log reader (and the escaping of names) expects.
        logger.LogCritical("{Count} files failed and were not bookmarked; they are read again on the next run:", result.Failures.Count);
        foreach (var failure in result.Failures) logger.LogCritical("  {Error}", failure.Message);
        return ExitCodes.Failure;
    }

    private static async Task<string> ReadFileAsync(string path, string what, CancellationToken cancellationToken)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"The {what} file '{path}' does not exist.", path);
        return await File.ReadAllTextAsync(path, cancellationToken);
    }
}
