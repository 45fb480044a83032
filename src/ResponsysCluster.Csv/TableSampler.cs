using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Schema;

namespace ResponsysCluster.Csv;

/// <summary>
/// Infers a table's columns from up to <c>sampleRows</c> records of each of its first <c>sampleFiles</c> ready
/// files, oldest first. Only the sampled rows are read, never whole files. A file that cannot be read is passed
/// to <c>onFailure</c> and skipped.
/// </summary>
public static class TableSampler
{
    public static async Task<TableSample> SampleAsync(IExportDirectory directory, IEnumerable<DataFile> files, CsvFormat format,
        int sampleFiles, int sampleRows, Action<RemoteFile, ExportFileException> onFailure, CancellationToken cancellationToken)
    {
        var inference = new TableSchemaInference();
        var sampled = 0;
        long records = 0;
        // An empty file has no header to sample.
        foreach (var file in files.Where(f => f.IsReady && f.File.Size > 0).Take(sampleFiles))
        {
            try
            {
                var stream = await directory.OpenReadAsync(file.File, cancellationToken).ConfigureAwait(false);
                using var reader = ExportRecordReader.Open(stream, file.File.Path, format);
                var columns = inference.AddHeader(reader.Header);
                while (reader.RecordsRead < sampleRows && reader.Read())
                {
                    var count = Math.Min(columns.Count, reader.FieldCount);
                    for (var i = 0; i < count; i++) columns[i].Observe(reader.Field(i));
                }
                records += reader.RecordsRead;
                sampled++;
            }
            catch (ExportFileException ex)
            {
                onFailure(file.File, ex);
            }
        }
        return new TableSample(inference.Columns, sampled, records);
    }
}

/// <summary>The inferred columns, and how many files and records they were inferred from.</summary>
public sealed record TableSample(IReadOnlyList<Column> Columns, int FilesSampled, long RecordsSampled);
