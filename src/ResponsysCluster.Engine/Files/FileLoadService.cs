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
        using var loading = EngineMetrics.Loading(1);
        var started = Stopwatch.StartNew();
        try
        {
            if (job.File.Size == 0)
            {
                await using var session = await ports.Directory.ConnectAsync(cancellationToken).ConfigureAwait(false);
                return await SkipEmptyAsync(session, job, started, cancellationToken).ConfigureAwait(false);
            }
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

    /// <summary>
    /// Loads a batch of small file jobs of one table: those already in the ledger or empty are answered as alone;
    /// the others are read one after another over one SFTP session into one transaction, where each fails alone. A
    /// result per job, in order.
    /// </summary>
    public async Task<IReadOnlyList<object>> LoadBatchAsync(IReadOnlyList<FileJob> jobs, CancellationToken cancellationToken)
    {
        using var loading = EngineMetrics.Loading(jobs.Count);
        var started = Stopwatch.StartNew();
        var results = new object?[jobs.Count];
        var toLoad = new List<(int Index, FileVersionBatchItem Item)>();
        try
        {
            await using var directory = await ports.Directory.ConnectAsync(cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < jobs.Count; i++)
            {
                var job = jobs[i];
                try
                {
                    if (job.File.Size == 0) results[i] = await SkipEmptyAsync(directory, job, started, cancellationToken).ConfigureAwait(false);
                    else if (await ports.Store.IsLoadedAsync(job.Table, job.File.Version, cancellationToken).ConfigureAwait(false))
                        results[i] = new FileJobSucceeded(job, true, 0, 0, [], started.Elapsed, null);
                    else
                    {
                        var expected = await ExportFileChecks.ReadRecordCountAsync(directory, job.ReadyFile, cancellationToken).ConfigureAwait(false);
                        toLoad.Add((i, new FileVersionBatchItem(
                            new FileVersionLoad(job.Table, job.File.Version, expected, job.InferredColumns, job.ReadyFile.Name, job.SelectedColumns),
                            ct => directory.OpenReadAsync(job.File, ct), ct => ExportFileChecks.RequireUnchangedAsync(directory, job.File, ct))));
                    }
                }
                catch (ExportFileException ex)
                {
                    results[i] = new FileJobFailed(job, FileFailure.Of(ex), started.Elapsed);
                }
            }
            if (toLoad.Count > 0)
            {
                var loaded = await ports.Store.LoadBatchAsync([.. toLoad.Select(t => t.Item)], cancellationToken).ConfigureAwait(false);
                for (var k = 0; k < toLoad.Count; k++) results[toLoad[k].Index] = Result(jobs[toLoad[k].Index], loaded[k], started.Elapsed);
            }
        }
        catch (Exception ex) when (ex is ExportDirectoryUnavailableException or DatabaseUnavailableException or IOException or TimeoutException)
        {
            // Nothing of the batch committed after this: every job not answered yet fails with it.
            for (var i = 0; i < jobs.Count; i++)
                if (results[i] is null || toLoad.Exists(t => t.Index == i))
                    results[i] = new FileJobFailed(jobs[i], new FileFailure(jobs[i].File.Path, ex.Message), started.Elapsed);
        }
        return results.Select(r => r!).ToList();
    }

    private static object Result(FileJob job, FileVersionBatchResult result, TimeSpan elapsed) => result switch
    {
        { Loaded: { } loaded } => new FileJobSucceeded(job, loaded.AlreadyLoaded, loaded.RowsLoaded, loaded.RowsReplaced, loaded.ColumnsWidened, elapsed,
            loaded.RecordCount, ValueNotes: loaded.Notes),
        { Failure: ExportFileException file } => new FileJobFailed(job, FileFailure.Of(file), elapsed),
        _ => new FileJobFailed(job, new FileFailure(job.File.Path, result.Failure?.Message ?? "not loaded"), elapsed),
    };

    /// <summary>An empty data file loads nothing and touches no table: done when its ready file expects nothing, failed otherwise.</summary>
    private static async Task<object> SkipEmptyAsync(IExportDirectory directory, FileJob job, Stopwatch started, CancellationToken cancellationToken)
    {
        var expected = await ExportFileChecks.ReadRecordCountAsync(directory, job.ReadyFile, cancellationToken).ConfigureAwait(false);
        var why = ExportFileChecks.RequireNothingExpectedOfEmptyFile(job.File.Path, job.ReadyFile.Name, expected);
        return new FileJobSucceeded(job, false, 0, 0, [], started.Elapsed, null, why);
    }
}
