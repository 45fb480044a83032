using System.Diagnostics;
using System.Diagnostics.Metrics;
using ResponsysCluster.Engine.Runs;
using static ResponsysCluster.Engine.Files.FileJobProtocol;

namespace ResponsysCluster.Engine;

/// <summary>
/// The engine's instruments, on the meter <see cref="MeterName"/>: what runs load per connection and table, how long
/// runs take, how long a ready file waits for its commit; and the count of file jobs loading in this process, for a
/// gauge. A run records the files it accounts for in its report, on the node it runs on; a listener (the node's
/// Prometheus endpoint) exports them, and without one recording costs next to nothing.
/// </summary>
public static class EngineMetrics
{
    public const string MeterName = "ResponsysCluster";

    public const string ConnectionTag = "connection_id";
    public const string TableTag = "table";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> RowsLoaded = Meter.CreateCounter<long>("responsys.rows.loaded", "{row}",
        "Rows committed into the target tables");

    private static readonly Counter<long> BytesLoaded = Meter.CreateCounter<long>("responsys.loaded", "By",
        "Size of the data files committed");

    private static readonly Counter<long> FilesLoaded = Meter.CreateCounter<long>("responsys.files.loaded", "{file}",
        "Data files committed (not those already in the ledger, nor empty files skipped)");

    private static readonly Counter<long> FilesFailed = Meter.CreateCounter<long>("responsys.files.failed", "{file}",
        "Data files a run reported failed (read again on the next run)");

    // Runs last from seconds (nothing pending) to hours (a first full export).
    private static readonly Histogram<double> RunDuration = Meter.CreateHistogram<double>("responsys.run.duration", "s",
        "Duration of the connection's runs", advice: new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 43200],
        });

    // Exports come hourly or daily: minutes to a day.
    private static readonly Histogram<double> ReadyToCommit = Meter.CreateHistogram<double>("responsys.file.commit_lag", "s",
        "Time from a ready file's modification to the commit of its data file", advice: new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [10, 30, 60, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400, 172800],
        });

    private static int fileJobsLoading;

    /// <summary>File jobs loading in this process now (a batch counts each of its files).</summary>
    public static int FileJobsLoading => Volatile.Read(ref fileJobsLoading);

    /// <summary>A file the run counts as done: loaded (rows, bytes, one file, its lag), or skipped, which counts nothing.</summary>
    public static void FileSucceeded(FileJobSucceeded success, DateTimeOffset committedAt)
    {
        if (success.AlreadyLoaded || success.SkippedBecause is not null) return;
        var tags = Tags(success.Job.ConnectionId, success.Job.Table);
        RowsLoaded.Add(success.RowsLoaded, tags);
        BytesLoaded.Add(success.Job.File.Size, tags);
        FilesLoaded.Add(1, tags);
        ReadyToCommit.Record(ReadyToCommitSeconds(success.Job.ReadyFile.Modified, committedAt), tags);
    }

    public static void FileFailed(string connectionId, string table) => FilesFailed.Add(1, Tags(connectionId, table));

    /// <summary>A run that ended; one refused because another held the connection's lock did no work and is not counted.</summary>
    public static void RunEnded(RunReport report)
    {
        if (report.LockHeld) return;
        RunDuration.Record(report.Duration.TotalSeconds, new KeyValuePair<string, object?>(ConnectionTag, report.ConnectionId));
    }

    /// <summary>Counts <paramref name="jobs"/> file jobs as loading until the result is disposed.</summary>
    public static LoadingFileJobs Loading(int jobs)
    {
        Interlocked.Add(ref fileJobsLoading, jobs);
        return new LoadingFileJobs(jobs);
    }

    /// <summary>Seconds from the ready file's mtime to the commit; a server clock ahead of ours gives 0, not a negative lag.</summary>
    public static double ReadyToCommitSeconds(DateTimeOffset readyModified, DateTimeOffset committedAt) =>
        Math.Max(0, (committedAt - readyModified).TotalSeconds);

    private static TagList Tags(string connectionId, string table) => new() { { ConnectionTag, connectionId }, { TableTag, table } };

    /// <summary>File jobs counted as loading until disposed.</summary>
    public readonly struct LoadingFileJobs(int jobs) : IDisposable
    {
        public void Dispose() => Interlocked.Add(ref fileJobsLoading, -jobs);
    }
}
