using Microsoft.Extensions.Logging;

namespace ResponsysCluster.Singer;

internal static partial class LogMessages
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Sampling {File} (up to {Rows} records) for table {Table}")]
    public static partial void Sampling(ILogger logger, string file, int rows, string table);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not sample {File}: {Reason}")]
    public static partial void SampleFailed(ILogger logger, string file, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Discovered table {Table}: {Columns} columns from {Files} sampled files, {Records} records")]
    public static partial void Discovered(ILogger logger, string table, int columns, int files, long records);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Files named like table {Table} have no ready file yet; the table is not discovered until one has")]
    public static partial void TableWithoutReadyFile(ILogger logger, string table);

    [LoggerMessage(Level = LogLevel.Information, Message = "Skipping {File}: {Why}")]
    public static partial void EmptyFile(ILogger logger, string file, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Table}: skipping, not selected")]
    public static partial void NotSelected(ILogger logger, string table);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Table}: {ToRead} files to read, {Waiting} waiting for their ready file, {Abandoned} abandoned (modified since {Watermark})")]
    public static partial void TablePlan(ILogger logger, string table, int toRead, int waiting, int abandoned, string watermark);

    [LoggerMessage(Level = LogLevel.Information, Message = "{File} has no ready file yet; it is left for a later run")]
    public static partial void WaitingForReady(ILogger logger, string file);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{File} is abandoned: no ready file {Hours:F1} h after it was modified (ready_timeout); it no longer holds the bookmark back")]
    public static partial void Abandoned(ILogger logger, string file, double hours);

    [LoggerMessage(Level = LogLevel.Information, Message = "Syncing file {File}")]
    public static partial void FileStarted(ILogger logger, string file);

    [LoggerMessage(Level = LogLevel.Information, Message = "{File}: {Records} records ({CountCheck})")]
    public static partial void FileDone(ILogger logger, string file, long records, string countCheck);

    [LoggerMessage(Level = LogLevel.Error, Message = "File failed, not bookmarked: {Error}")]
    public static partial void FileFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Table}: completed sync ({Records} records from {Files} files)")]
    public static partial void TableDone(ILogger logger, string table, long records, int files);
}
