using ResponsysCluster.Domain.Bookmarks;
using ResponsysCluster.Domain.Files;

namespace ResponsysCluster.Domain.Sync;

/// <summary>
/// What one run does with a table's pending files: read those whose ready file exists (oldest mtime first, ties
/// by path), leave for a later run those still waiting for it, and give up on those that waited longer than the
/// ready timeout.
/// </summary>
public sealed record TableSyncPlan(IReadOnlyList<DataFile> ToRead, IReadOnlyList<DataFile> Waiting, IReadOnlyList<DataFile> Abandoned)
{
    public static TableSyncPlan Create(IEnumerable<DataFile> files, TableBookmark bookmark, DateTimeOffset now, TimeSpan readyTimeout)
    {
        var pending = files.Where(f => bookmark.IsPending(f.File.Version))
            .OrderBy(f => f.File, Comparer<RemoteFile>.Create(ExportListing.CompareByModifiedThenPath))
            .ToList();
        var notReady = pending.Where(f => !f.IsReady).ToList();
        return new TableSyncPlan(
            pending.Where(f => f.IsReady).ToList(),
            notReady.Where(f => now - f.File.Modified <= readyTimeout).ToList(),
            notReady.Where(f => now - f.File.Modified > readyTimeout).ToList());
    }

    /// <summary>The versions that hold the watermark back until they are done.</summary>
    public IReadOnlyCollection<FileVersion> Holding => ToRead.Concat(Waiting).Select(f => f.File.Version).ToList();
}
