namespace ResponsysCluster.Domain.Files;

/// <summary>
/// Compares the records read from a file with its ready file's count. Responsys does not document whether the
/// count includes the header row, so both the record count and the record count + 1 are accepted.
/// </summary>
public static class RecordCountCheck
{
    public static RecordCountOutcome Check(long? expected, long recordsRead) => expected switch
    {
        null => RecordCountOutcome.NoCount,
        var e when e == recordsRead => RecordCountOutcome.MatchesRecords,
        var e when e == recordsRead + 1 => RecordCountOutcome.MatchesRecordsAndHeader,
        _ => RecordCountOutcome.Mismatch,
    };

    /// <summary>
    /// Which count the ready file's record count matched, in the words the extraction log and the tap's log use:
    /// Responsys does not say whether it counts the header row.
    /// </summary>
    public static string Describe(RecordCountOutcome? outcome, long records) => outcome switch
    {
        RecordCountOutcome.MatchesRecords => $"the ready file's count {records} matches the records without the header row",
        RecordCountOutcome.MatchesRecordsAndHeader => $"the ready file's count {records + 1} matches the records with the header row",
        RecordCountOutcome.ArchiveCountNotChecked =>
            "the ready file's count is the whole zip archive's (it holds several files): not checked against one of them",
        _ => "the ready file carries no record count",
    };
}

public enum RecordCountOutcome
{
    /// <summary>The ready file carries no count.</summary>
    NoCount,
    /// <summary>The count equals the data records read.</summary>
    MatchesRecords,
    /// <summary>The count equals the data records read plus the header row.</summary>
    MatchesRecordsAndHeader,
    /// <summary>The count differs: the file is incomplete or was changed.</summary>
    Mismatch,
    /// <summary>
    /// The file is one entry of a zip of several files: Responsys writes one ready file per export, so its count is
    /// the archive's, and each entry loads in its own transaction, so no sum can be checked before one commits.
    /// </summary>
    ArchiveCountNotChecked,
}
