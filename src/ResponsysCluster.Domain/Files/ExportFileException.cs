namespace ResponsysCluster.Domain.Files;

/// <summary>
/// One export file could not be read: bad CSV, bad encoding, a record-count mismatch, a file that vanished or
/// changed. Names the file and, when known, the line and record. The file is not bookmarked; others go on.
/// </summary>
public sealed class ExportFileException : Exception
{
    public ExportFileException(string filePath, string reason, long? line = null, long? record = null, Exception? inner = null)
        : base(Describe(filePath, reason, line, record), inner)
    {
        FilePath = filePath;
        Reason = reason;
        Line = line;
        Record = record;
    }

    public string FilePath { get; }
    public string Reason { get; }
    /// <summary>Physical line (1 = header) where the faulty record starts.</summary>
    public long? Line { get; }
    /// <summary>Record number as <c>_sdc_source_lineno</c> counts it (header = 1, first record = 2).</summary>
    public long? Record { get; }

    /// <summary>The message for a failure of <paramref name="path"/>: file, line, record when known, and reason.</summary>
    public static string Describe(string path, string reason, long? line, long? record) => (line, record) switch
    {
        ({ } l, { } r) when l != r => $"{path}: line {l} (record {r}): {reason}",
        ({ } l, _) => $"{path}: line {l}: {reason}",
        (null, { } r) => $"{path}: record {r}: {reason}",
        _ => $"{path}: {reason}",
    };
}
