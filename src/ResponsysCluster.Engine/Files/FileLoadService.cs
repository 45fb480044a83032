using System.Diagnostics;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Ports;
using static ResponsysCluster.Engine.Files.FileJobProtocol;

namespace ResponsysCluster.Engine.Files;

/// <summary>
/// Loads one file job through the connection's ports: a version already in the ledger costs one query and no
/// connection; otherwise the ready file's count, then the file streamed from the export directory straight into
/// the store's load (rows never gather in memory and never travel between actors).
/// </summary>
public sealed class FileLoadService(ConnectionPorts ports)
{
    public async Task<object> LoadAsync(FileJob job, Action<long> rowsCopied, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        try
        {
            if (job.File.Size == 0) return await SkipEmptyAsync(job, started, cancellationToken).ConfigureAwait(false);
            if (await ports.Store.IsLoadedAsync(job.Table, job.File.Version, cancellationToken).ConfigureAwait(false))
                return new FileJobSucceeded(job, true, 0, 0, [], started.Elapsed, null);
            await using var directory = await ports.Directory.ConnectAsync(cancellationToken).ConfigureAwait(false);
            var expected = await ExportFileChecks.ReadRecordCountAsync(directory, job.ReadyFile, cancellationToken).ConfigureAwait(false);
            var loaded = await ports.Store.LoadAsync(new FileVersionLoad(job.Table, job.File.Version, expected, job.InferredColumns, job.ReadyFile.Name, job.SelectedColumns),
                ct => directory.OpenReadAsync(job.File, ct), rowsCopied, ct => ExportFileChecks.RequireUnchangedAsync(directory, job.File, ct),
                cancellationToken).ConfigureAwait(false);
            return new FileJobSucceeded(job, loaded.AlreadyLoaded, loaded.RowsLoaded, loaded.RowsReplaced, loaded.ColumnsWidened, started.Elapsed,
                loaded.RecordCount, ValueNotes: loaded.Notes);
        }
        catch (ExportFileException ex)
        {
            return new FileJobFailed(job, FileFailure.Of(ex), started.Elapsed);
        }
        catch (Exception ex) when (ex is ExportDirectoryUnavailableException or DatabaseUnavailableException or IOException or TimeoutException)
        {
            return new FileJobFailed(job, new FileFailure(job.File.Path, ex.Message), started.Elapsed);
        }
    }

    /// <summary>An empty data file loads nothing and touches no table: done when its ready file expects nothing, failed otherwise.</summary>
    private async Task<object> SkipEmptyAsync(FileJob job, Stopwatch started, CancellationToken cancellationToken)
    {
        await using var directory = await ports.Directory.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var expected = await ExportFileChecks.ReadRecordCountAsync(directory, job.ReadyFile, cancellationToken).ConfigureAwait(false);
        var why = ExportFileChecks.RequireNothingExpectedOfEmptyFile(job.File.Path, job.ReadyFile.Name, expected);
        return new FileJobSucceeded(job, false, 0, 0, [], started.Elapsed, null, why);
    }
}
