namespace ResponsysCluster.Domain.Schema;

/// <summary>The columns every row gets besides the file's own, named as Singer taps name them; tap and engine alike.</summary>
public static class SystemColumns
{
    /// <summary>The remote path of the file the row came from.</summary>
    public const string SourceFile = "_sdc_source_file";

    /// <summary>The record's ordinal + 1 in its file (the header is 1).</summary>
    public const string SourceLineNumber = "_sdc_source_lineno";

    /// <summary>Fields beyond the header's columns, in order.</summary>
    public const string Extra = "_sdc_extra";

    /// <summary>When the file was read (engine only).</summary>
    public const string ExtractedAt = "_sdc_extracted_at";

    /// <summary>When the row's batch was written (engine only).</summary>
    public const string BatchedAt = "_sdc_batched_at";

    /// <summary>Columns a PostgreSQL row cannot hold as columns of their own, as one JSON object (engine only).</summary>
    public const string Overflow = "_sdc_overflow";
}
