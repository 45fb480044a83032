using Microsoft.Extensions.Logging;
using ResponsysCluster.Csv;
using ResponsysCluster.Csv.Decoding;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Ports;
using ResponsysCluster.Domain.Schema;
using ResponsysCluster.Sftp;

namespace ResponsysCluster.Node.Api;

/// <summary>The tables a connection's directory holds now, each with the columns its sampled rows infer; or why they could not be read.</summary>
internal sealed record ServerTables(IReadOnlyDictionary<string, IReadOnlyList<Column>> Columns, string? Error)
{
    /// <summary>Lists the directory and samples each table as discovery does (one connect attempt; only the sampled rows are read).</summary>
    public static async Task<ServerTables> SampleAsync(ConnectionConfig config, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            await using var directory = new DecodedExportDirectory(
                await new SftpConnector(config, logger, ConnectRetryPolicy.None).ConnectAsync(cancellationToken).ConfigureAwait(false), ExportFileDecoder.For(config));
            var listing = ExportListing.From(await directory.ListAsync(cancellationToken).ConfigureAwait(false));
            var columns = new Dictionary<string, IReadOnlyList<Column>>(StringComparer.Ordinal);
            foreach (var table in listing.Tables)
            {
                var sample = await TableSampler.SampleAsync(directory, listing.FilesOf(table), CsvFormat.Of(config), config.SampleFiles, config.SampleRows,
                    (file, ex) => logger.LogWarning("Sampling {Path} failed: {Reason}", file.Path, ex.Message), cancellationToken).ConfigureAwait(false);
                columns[table] = sample.Columns;
            }
            return new ServerTables(columns, null);
        }
        catch (Exception ex) when (ex is ConfigException or ExportDirectoryUnavailableException)
        {
            return new ServerTables(new Dictionary<string, IReadOnlyList<Column>>(), ex.Message);
        }
    }
}
