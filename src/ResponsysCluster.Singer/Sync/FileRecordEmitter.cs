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
    private const int MaxReadyFileBytes = 4096;

    /// <summary>Returns the number of records emitted.</summary>
    public async Task<long> EmitAsync(DataFile file, CatalogStream stream, CancellationToken cancellationToken)
    {
        var path = file.File.Path;
        LogMessages.FileStarted(logger, path);
        var readyText = await directory.ReadSmallTextAsync(file.ReadyFile!, MaxReadyFileBytes, cancellationToken).ConfigureAwait(false);
        var expected = ReadyFileContent.RecordCount(readyText);

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

        var outcome = RecordCountCheck.Check(expected, records);
        if (outcome == RecordCountOutcome.Mismatch)
        {
            throw new ExportFileException(path,
                $"record count mismatch: the ready file {file.ReadyFile!.Name} says {expected}, the file holds {records} records " +
                "(the export is incomplete or was replaced)");
        }

        var after = await directory.StatAsync(file.File, cancellationToken).ConfigureAwait(false);
        if (after is null || after.Size != file.File.Size || after.Modified != file.File.Modified)
        {
            throw new ExportFileException(path, after is null
                ? "the file was deleted while it was read"
                : $"the file changed while it was read (size {file.File.Size} → {after.Size}); it will be read again as a new version");
        }

        LogMessages.FileDone(logger, path, records, Describe(outcome, expected));
        return records;
    }

    private static string Describe(RecordCountOutcome outcome, long? expected) => outcome switch
    {
        RecordCountOutcome.MatchesRecords => $"matches the ready file's count {expected}",
        RecordCountOutcome.MatchesRecordsAndHeader => $"the ready file's count {expected} includes the header row",
        _ => "the ready file carries no record count",
    };
}
