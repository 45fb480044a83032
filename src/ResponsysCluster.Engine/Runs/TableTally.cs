using System.Diagnostics;
using static ResponsysCluster.Engine.Files.FileJobProtocol;

namespace ResponsysCluster.Engine.Runs;

/// <summary>What a run has done to one table so far; becomes the table's line of the loading report.</summary>
internal sealed class TableTally(string table, int waiting, int abandoned)
{
    private readonly Stopwatch stopwatch = Stopwatch.StartNew();
    private readonly List<string> errors = [];
    private TimeSpan lastFinished;
    private int loaded, skipped, failed;
    private long rows, replaced, bytes;

    public void Succeeded(FileJobSucceeded success)
    {
        // The report's "skipped" counts files done without loading: already in the ledger, or empty as their ready file said.
        if (success.AlreadyLoaded || success.SkippedBecause is not null) skipped++;
        else loaded++;
        rows += success.AlreadyLoaded ? 0 : success.RowsLoaded;
        replaced += success.RowsReplaced;
        bytes += success.Job.File.Size;
        lastFinished = stopwatch.Elapsed;
    }

    public void Failed(string error)
    {
        failed++;
        errors.Add(error);
        lastFinished = stopwatch.Elapsed;
    }

    public TableLoadReport Report() =>
        new(table, loaded, skipped, failed, waiting, abandoned, rows, replaced, bytes, lastFinished, [.. errors]);
}
