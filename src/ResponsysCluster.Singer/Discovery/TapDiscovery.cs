using Microsoft.Extensions.Logging;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Schema;
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
        var inference = new TableSchemaInference();
        var sampled = 0;
        long records = 0;
        foreach (var file in files.Where(f => f.IsReady).Take(config.SampleFiles))
        {
            LogMessages.Sampling(logger, file.File.Path, config.SampleRows, table);
            try
            {
                records += await SampleAsync(directory, file.File, inference, cancellationToken).ConfigureAwait(false);
                sampled++;
            }
            catch (ExportFileException ex)
            {
                LogMessages.SampleFailed(logger, file.File.Path, ex.Message);
            }
        }
        var columns = inference.Columns;
        LogMessages.Discovered(logger, table, columns.Count, sampled, records);
        return CatalogStream.Discovered(table, columns);
    }

    private async Task<long> SampleAsync(IExportDirectory directory, RemoteFile file, TableSchemaInference inference, CancellationToken cancellationToken)
    {
        var stream = await directory.OpenReadAsync(file, cancellationToken).ConfigureAwait(false);
        using var reader = ExportRecordReader.Open(stream, file.Path, CsvFormat.Of(config));
        var columns = inference.AddHeader(reader.Header);
        while (reader.RecordsRead < config.SampleRows && reader.Read())
        {
            var count = Math.Min(columns.Count, reader.FieldCount);
            for (var i = 0; i < count; i++) columns[i].Observe(reader.Field(i));
        }
        return reader.RecordsRead;
    }
}

/// <summary>Discovery found no table with a ready file.</summary>
public sealed class NoStreamsException(string message) : Exception(message);
