using Microsoft.Extensions.Logging;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Singer.Catalog;

namespace ResponsysCluster.Singer.Sync;

/// <summary>
/// Emits every record of one data file as RECORD messages, then checks the count against the ready file and
/// that the file did not change while it was read. Any problem is an <see cref="ExportFileException"/>.
/// </summary>
/// <param name="validateFirst">Read and check each file to its end before emitting any of its records (spooled to a temporary file).</param>
public sealed class FileRecordEmitter(IExportDirectory directory, CsvFormat format, SingerMessageWriter writer, ILogger logger, TimeProvider clock,
    bool validateFirst = false)
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

        if (!validateFirst) return await EmitCheckedAsync(file, stream, expected, writer, cancellationToken).ConfigureAwait(false);

        // --validate-first: the records go to a spool first and reach stdout only once the whole file has been read
        // and checked; a file that fails emits nothing. The spool holds one file's messages at a time, on disk (never
        // in memory), and is deleted as soon as the file is emitted or has failed.
        await using var spool = OpenSpool(path);
        long records;
        using (var spooled = new SingerMessageWriter(spool))
        {
            records = await EmitCheckedAsync(file, stream, expected, spooled, cancellationToken).ConfigureAwait(false);
        }
        spool.Position = 0;
        writer.WriteSpooled(spool);
        return records;
    }

    private async Task<long> EmitCheckedAsync(DataFile file, CatalogStream stream, long? expected, SingerMessageWriter target, CancellationToken cancellationToken)
    {
        var path = file.File.Path;
        var source = await directory.OpenReadAsync(file.File, cancellationToken).ConfigureAwait(false);
        long records;
        using (var reader = ExportRecordReader.Open(source, path, format))
        {
            var layout = RecordLayout.For(reader.Header, stream.ColumnTypes, stream.TapStreamId, path,
                SingerMessageWriter.FormatDateTime(clock.GetUtcNow().UtcDateTime));
            try
            {
                while (reader.Read())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    target.WriteRecord(layout, reader);
                }
            }
            catch (IOException ex) when (target != writer)
            {
                throw new ExportFileException(path, $"--validate-first could not spool the file's records in {Path.GetTempPath()}: {ex.Message}", inner: ex);
            }
            records = reader.RecordsRead;
        }

        var outcome = ExportFileChecks.RequireRecordCount(path, file.ReadyFile!.Name, expected, records);
        await ExportFileChecks.RequireUnchangedAsync(directory, file.File, cancellationToken).ConfigureAwait(false);

        LogMessages.FileDone(logger, path, records, RecordCountCheck.Describe(outcome, records));
        return records;
    }

    private static FileStream OpenSpool(string path)
    {
        try
        {
            return new FileStream(Path.Combine(Path.GetTempPath(), $"rsx-validate-{Guid.NewGuid():N}.jsonl"), FileMode.CreateNew, FileAccess.ReadWrite,
                FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ExportFileException(path, $"--validate-first could not create its spool file in {Path.GetTempPath()}: {ex.Message}", inner: ex);
        }
    }
}
