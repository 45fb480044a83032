using Microsoft.Extensions.Logging;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain;
using ResponsysCluster.Domain.Bookmarks;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Sync;
using ResponsysCluster.Singer.Catalog;

namespace ResponsysCluster.Singer.Sync;

/// <summary>
/// The Singer sync: for each selected stream, the files modified after its bookmark, oldest first, each emitted
/// whole and followed by a STATE message. A file that fails is reported and not bookmarked; the others go on.
/// </summary>
public sealed class TapSync(ConnectionConfig config, SingerMessageWriter writer, ILogger logger, TimeProvider clock, bool validateFirst = false)
{
    public async Task<TapSyncResult> RunAsync(IExportDirectory directory, SingerCatalog catalog, SingerState state, CancellationToken cancellationToken)
    {
        var listing = ExportListing.From(await directory.ListAsync(cancellationToken).ConfigureAwait(false));

        var emitter = new FileRecordEmitter(directory, CsvFormat.Of(config), writer, logger, clock, validateFirst);
        var failures = new List<ExportFileException>();
        long records = 0;
        foreach (var stream in catalog.Streams)
        {
            if (!stream.IsSelected)
            {
                LogMessages.NotSelected(logger, stream.TapStreamId);
                continue;
            }

            writer.WriteState(state);
            writer.WriteSchema(stream);
            var table = await SyncTableAsync(stream, listing.FilesOf(stream.TapStreamId), state, emitter, cancellationToken).ConfigureAwait(false);
            state = table.State;
            records += table.Records;
            failures.AddRange(table.Failures);
        }
        writer.Flush();
        return new TapSyncResult(records, failures, state);
    }

    private async Task<TapSyncResult> SyncTableAsync(CatalogStream stream, IReadOnlyList<DataFile> files, SingerState state,
        FileRecordEmitter emitter, CancellationToken cancellationToken)
    {
        var table = stream.TapStreamId;
        var bookmark = state.BookmarkFor(table) ?? TableBookmark.Start(config.StartDate);
        var plan = TableSyncPlan.Create(files, bookmark, clock.GetUtcNow(), config.ReadyTimeout);
        LogMessages.TablePlan(logger, table, plan.ToRead.Count, plan.Waiting.Count, plan.Abandoned.Count,
            bookmark.Watermark is { } w ? IsoTimestamp.Format(w) : "the beginning");
        foreach (var waiting in plan.Waiting) LogMessages.WaitingForReady(logger, waiting.File.Path);
        foreach (var abandoned in plan.Abandoned)
            LogMessages.Abandoned(logger, abandoned.File.Path, (clock.GetUtcNow() - abandoned.File.Modified).TotalHours);

        var stillToDo = plan.Holding.ToHashSet();
        var failures = new List<ExportFileException>();
        long records = 0;
        var filesDone = 0;
        foreach (var file in plan.ToRead)
        {
            try
            {
                records += await emitter.EmitAsync(file, stream, cancellationToken).ConfigureAwait(false);
            }
            catch (ExportFileException ex)
            {
                LogMessages.FileFailed(logger, ex.Message);
                failures.Add(ex);
                continue;
            }

            filesDone++;
            stillToDo.Remove(file.File.Version);
            bookmark = bookmark.Complete(file.File.Version, stillToDo);
            state = state.With(table, bookmark);
            writer.WriteState(state);
        }

        LogMessages.TableDone(logger, table, records, filesDone);
        return new TapSyncResult(records, failures, state);
    }
}

/// <summary>The outcome of a sync: records emitted, files that failed, and the final state.</summary>
public sealed record TapSyncResult(long Records, IReadOnlyList<ExportFileException> Failures, SingerState State);
