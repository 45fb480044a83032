using ResponsysCluster.Domain.Bookmarks;

namespace ResponsysCluster.Engine.Bookmarks;

/// <summary>The bookmark as it is stored in a snapshot.</summary>
public sealed record TableBookmarkSnapshot(DateTimeOffset? StartDate, DateTimeOffset? Watermark, bool AllDoneAtWatermark, IReadOnlyList<DoneVersion> DoneAtOrAbove) : IEngineMessage
{
    public static TableBookmarkSnapshot Of(TableBookmark bookmark, DateTimeOffset? startDate) =>
        new(startDate, bookmark.Watermark, bookmark.AllDoneAtWatermark, bookmark.Watermark is null ? [] : bookmark.DoneAtOrAbove);

    /// <summary>
    /// The bookmark again. A bookmark has no watermark only when it started (or was reset) without a start date and
    /// nothing is done yet: every version is pending, whatever start date the connection was configured with.
    /// </summary>
    public TableBookmark ToBookmark() => Watermark is { } watermark
        ? TableBookmark.Restore(watermark, DoneAtOrAbove, AllDoneAtWatermark)
        : TableBookmark.Start(null);
}
