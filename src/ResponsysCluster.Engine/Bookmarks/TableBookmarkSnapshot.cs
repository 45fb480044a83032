using ResponsysCluster.Domain.Bookmarks;

namespace ResponsysCluster.Engine.Bookmarks;

/// <summary>The bookmark as it is stored in a snapshot.</summary>
public sealed record TableBookmarkSnapshot(DateTimeOffset? StartDate, DateTimeOffset? Watermark, bool AllDoneAtWatermark, IReadOnlyList<DoneVersion> DoneAtOrAbove) : IEngineMessage
{
    public static TableBookmarkSnapshot Of(TableBookmark bookmark, DateTimeOffset? startDate) =>
        new(startDate, bookmark.Watermark, bookmark.AllDoneAtWatermark, bookmark.Watermark is null ? [] : bookmark.DoneAtOrAbove);

    public TableBookmark ToBookmark() => Watermark is { } watermark
        ? TableBookmark.Restore(watermark, DoneAtOrAbove, AllDoneAtWatermark)
        : TableBookmark.Start(StartDate);
}
