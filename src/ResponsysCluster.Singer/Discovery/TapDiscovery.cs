using Microsoft.Extensions.Logging;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Singer.Catalog;

namespace ResponsysCluster.Singer.Discovery;

/// <summary>
/// Discovers the tables of an export directory and infers their columns by sampling: up to
/// <c>sample_rows</c> records of each of the first <c>sample_files</c> ready files, oldest first.
/// Only the sampled rows are read, never whole files.
/// </summary>
public sealed class TapDiscovery(ConnectionConfig config, ILogger logger)
{
    public const string NoStreamsMessage =
        "(No streams found) Streams will only be discovered if a '*.ready' file is present, to ensure consistency. " +
        "Please select the option to write a file with extension 'ready' on export completion.";

    public async Task<SingerCatalog> DiscoverAsync(IExportDirectory directory, CancellationToken cancellationToken)
    {
        var listing = ExportListing.From(await directory.ListAsync(cancellationToken).ConfigureAwait(false));
        foreach (var table in listing.TablesWithoutReadyFiles) LogMessages.TableWithoutReadyFile(logger, table);
        if (listing.Tables.Count == 0)
        {
            var waiting = listing.TablesWithoutReadyFiles.Count == 0 ? ""
                : $" Data files without a ready file were found for: {string.Join(", ", listing.TablesWithoutReadyFiles)}.";
            throw new NoStreamsException(NoStreamsMessage + waiting);
        }

        var streams = new List<CatalogStream>();
        foreach (var table in listing.Tables)
            streams.Add(await DiscoverTableAsync(directory, table, listing.FilesOf(table), cancellationToken).ConfigureAwait(false));
        return new SingerCatalog(streams);
    }

    private async Task<CatalogStream> DiscoverTableAsync(IExportDirectory directory, string table, IReadOnlyList<DataFile> files, CancellationToken cancellationToken)
    {
        foreach (var file in files.Where(f => f.IsReady && f.File.Size > 0).Take(config.SampleFiles))
            LogMessages.Sampling(logger, file.File.Path, config.SampleRows, table);
        var sample = await TableSampler.SampleAsync(directory, files, CsvFormat.Of(config), config.SampleFiles, config.SampleRows,
            (file, ex) => LogMessages.SampleFailed(logger, file.Path, ex.Message), cancellationToken).ConfigureAwait(false);
        LogMessages.Discovered(logger, table, sample.Columns.Count, sample.FilesSampled, sample.RecordsSampled);
        return CatalogStream.Discovered(table, sample.Columns);
    }
}

/// <summary>Discovery found no table with a ready file.</summary>
public sealed class NoStreamsException(string message) : Exception(message);
