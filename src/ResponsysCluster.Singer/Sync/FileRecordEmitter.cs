using Microsoft.Extensions.Logging;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Singer.Catalog;

namespace ResponsysCluster.Singer.Sync;

/// <summary>
/// Emits every record of one data file as RECORD messages, then checks the count against the ready file and
/// that the file did not change while it was read. Any problem is an <see cref="ExportFileException"/>.
/// </summary>
public sealed class FileRecordEmitter(IExportDirectory directory, CsvFormat format, SingerMessageWriter writer, ILogger logger, TimeProvider clock)
{
    /// <summary>Returns the number of records emitted.</summary>
    public async Task<long> EmitAsync(DataFile file, CatalogStream stream, CancellationToken cancellationToken)
    {
        var path = file.File.Path;
        LogMessages.FileStarted(logger, path);
        var expected = await ExportFileChecks.ReadRecordCountAsync(directory, file.ReadyFile!, cancellationToken).ConfigureAwait(false);
        if (file.File.Size == 0)
        {
            LogMessages.EmptyFile(logger, path, ExportFileChecks.RequireNothingExpectedOfEmptyFile(path, file.ReadyFile!.Name, expected));
            return 0;
        }

        var source = await directory.OpenReadAsync(file.File, cancellationToken).ConfigureAwait(false);
        long records;
        using (var reader = ExportRecordReader.Open(source, path, format))
        {
            var layout = RecordLayout.For(reader.Header, stream.ColumnTypes, stream.TapStreamId, path,
                SingerMessageWriter.FormatDateTime(clock.GetUtcNow().UtcDateTime));
            while (reader.Read())
            {
                cancellationToken.ThrowIfCancellationRequested();
                writer.WriteRecord(layout, reader);
            }
            records = reader.RecordsRead;
        }

        var outcome = ExportFileChecks.RequireRecordCount(path, file.ReadyFile!.Name, expected, records);
        await ExportFileChecks.RequireUnchangedAsync(directory, file.File, cancellationToken).ConfigureAwait(false);

        LogMessages.FileDone(logger, path, records, RecordCountCheck.Describe(outcome, records));
        return records;
    }
}
