namespace ResponsysCluster.Domain.Files;

/// <summary>
/// The checks every reader of an export file makes, the Singer tap and the engine alike: the ready file's record
/// count before reading, the count after reading, and that the file did not change while it was read. Each
/// problem is an <see cref="ExportFileException"/> naming the file.
/// </summary>
public static class ExportFileChecks
{
    /// <summary>A ready file is a marker or a number: anything longer is not read past this.</summary>
    public const int MaxReadyFileBytes = 4096;

    /// <summary>
    /// The record count the data file's ready file carries, or null for a plain marker. A count larger than any file
    /// can hold fails the file (naming the ready file), before anything of it is read.
    /// </summary>
    public static async Task<long?> ReadRecordCountAsync(IExportDirectory directory, RemoteFile readyFile, CancellationToken cancellationToken)
    {
        var content = await directory.ReadSmallTextAsync(readyFile, MaxReadyFileBytes, cancellationToken).ConfigureAwait(false);
        try
        {
            return ReadyFileContent.RecordCount(content);
        }
        catch (ReadyFileCountTooLargeException ex)
        {
            throw new ExportFileException(readyFile.Path,
                $"record count mismatch: the ready file {readyFile.Name} says {ex.Count} records, more than any file can hold");
        }
    }

    /// <summary>
    /// Which count the records read matched; a mismatch fails the file. An entry of a zip of several files is not
    /// checked (<see cref="RecordCountOutcome.ArchiveCountNotChecked"/>, said so in the log).
    /// </summary>
    public static RecordCountOutcome RequireRecordCount(string path, string? readyFileName, long? expected, long recordsRead)
    {
        if (expected is not null && ZipEntryName.TrySplit(path, out _, out _)) return RecordCountOutcome.ArchiveCountNotChecked;
        var outcome = RecordCountCheck.Check(expected, recordsRead);
        if (outcome != RecordCountOutcome.Mismatch) return outcome;
        var readyFile = readyFileName is null ? "the ready file" : $"the ready file {readyFileName}";
        throw new ExportFileException(path,
            $"record count mismatch: {readyFile} says {expected}, the file holds {recordsRead} records (the export is incomplete or was replaced)");
    }

    /// <summary>
    /// A 0-byte data file holds neither header nor record: its ready file may carry no count, or 0, and the file is
    /// skipped (the words returned say why, for the log). Any other count means the export lost its content: the file
    /// fails as a count mismatch, which is what the count is there to catch.
    /// </summary>
    public static string RequireNothingExpectedOfEmptyFile(string path, string? readyFileName, long? expected)
    {
        if (expected is null) return "empty data file (0 bytes) and the ready file carries no record count: nothing to load";
        if (expected == 0) return "empty data file (0 bytes), as the ready file's count 0 says: nothing to load";
        var readyFile = readyFileName is null ? "the ready file" : $"the ready file {readyFileName}";
        throw new ExportFileException(path,
            $"record count mismatch: {readyFile} says {expected}, the file is empty (0 bytes; the export is incomplete or was truncated)");
    }

    /// <summary>Fails the file when it was deleted or rewritten while it was read: what was read may be a mix of two versions.</summary>
    public static async Task RequireUnchangedAsync(IExportDirectory directory, RemoteFile file, CancellationToken cancellationToken)
    {
        var after = await directory.StatAsync(file, cancellationToken).ConfigureAwait(false);
        if (after is not null && after.Size == file.Size && after.Modified == file.Modified) return;
        throw new ExportFileException(file.Path, after is null
            ? "the file was deleted while it was read"
            : $"the file changed while it was read (size {file.Size} → {after.Size}, modified {file.Modified:O} → {after.Modified:O}); " +
              "it will be read again as a new version");
    }
}
