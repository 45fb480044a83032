using ResponsysCluster.Domain.Bookmarks;
using ResponsysCluster.Domain.Files;

namespace ResponsysCluster.Engine.Bookmarks;

/// <summary>The bookmark as it is stored in a snapshot.</summary>
public sealed record TableBookmarkSnapshot(DateTimeOffset? StartDate, DateTimeOffset? Watermark, bool AllDoneAtWatermark, IReadOnlyList<DoneVersion> DoneAtOrAbove) : IEngineMessage
{
    public static TableBookmarkSnapshot Of(TableBookmark bookmark, DateTimeOffset? startDate) =>
        new(startDate, bookmark.Watermark, bookmark.AllDoneAtWatermark, bookmark.DoneAtOrAbove);

    /// <summary>
    /// The bookmark again. A bookmark has no watermark when it started (or was reset) without a start date and the
    /// watermark has not moved yet: every version is pending, whatever start date the connection was configured with,
    /// except those done already (an older version still to do holds the watermark back).
    /// </summary>
    public TableBookmark ToBookmark() => Watermark is { } watermark
        ? TableBookmark.Restore(watermark, DoneAtOrAbove, AllDoneAtWatermark)
        // Marking a version done needs only its path and mtime: the size is not kept.
        : DoneAtOrAbove.Aggregate(TableBookmark.Start(null), (bookmark, done) => bookmark.MarkDone(new FileVersion(done.Path, done.Modified, 0)));
}
