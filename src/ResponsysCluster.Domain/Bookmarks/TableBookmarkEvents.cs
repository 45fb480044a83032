namespace ResponsysCluster.Domain.Bookmarks;

/// <summary>What happens to a table's bookmark, as the event-sourced bookmark journals it.</summary>
public interface ITableBookmarkEvent;

/// <summary>A file version was loaded (its transaction committed); the watermark is where it moved to, if it moved.</summary>
public sealed record FileVersionCompleted(string Path, DateTimeOffset Modified, long Size, DateTimeOffset? Watermark) : ITableBookmarkEvent;

/// <summary>The table starts over from <see cref="StartDate"/>: every file is read again.</summary>
public sealed record TableReset(DateTimeOffset? StartDate) : ITableBookmarkEvent;

/// <summary>Decide and Apply for the bookmark: state changes are pure, the actor only persists and replies.</summary>
public static class TableBookmarkDecisions
{
    /// <summary>The event for a completed version, or none when it was already done (a replay after a crash).</summary>
    public static FileVersionCompleted? Complete(TableBookmark bookmark, Files.FileVersion completed, IEnumerable<Files.FileVersion> stillToDo)
    {
        if (!bookmark.IsPending(completed)) return null;
        var after = bookmark.Complete(completed, stillToDo);
        return new FileVersionCompleted(completed.Path, completed.Modified, completed.Size, after.Watermark == bookmark.Watermark ? null : after.Watermark);
    }

    public static TableBookmark Apply(TableBookmark bookmark, ITableBookmarkEvent @event) => @event switch
    {
        FileVersionCompleted c when c.Watermark is { } watermark =>
            bookmark.MarkDone(new Files.FileVersion(c.Path, c.Modified, c.Size)).MoveWatermarkTo(watermark),
        FileVersionCompleted c => bookmark.MarkDone(new Files.FileVersion(c.Path, c.Modified, c.Size)),
        TableReset r => TableBookmark.Start(r.StartDate),
        _ => throw new InvalidOperationException($"Unknown bookmark event {@event.GetType().Name}"),
    };
}
