using ResponsysCluster.Domain.Bookmarks;
using ResponsysCluster.Domain.Files;

namespace ResponsysCluster.Engine.Bookmarks;

/// <summary>Messages to a table's bookmark. Every command names its (connection, table) so it can be routed to it.</summary>
public static class TableBookmarkProtocol
{
    public interface ITableBookmarkCommand : IEngineMessage
    {
        string ConnectionId { get; }
        string Table { get; }
    }

    /// <summary>Asks for the bookmark; answered with <see cref="BookmarkState"/>.</summary>
    public sealed record GetBookmark(string ConnectionId, string Table) : ITableBookmarkCommand;

    /// <summary>
    /// A file version committed to PostgreSQL. Sent after the commit; answered with <see cref="BookmarkState"/>
    /// once the event is persisted (or at once, when the version was already done).
    /// </summary>
    public sealed record CompleteFileVersion(string ConnectionId, string Table, FileVersion Version, IReadOnlyList<FileVersion> StillToDo) : ITableBookmarkCommand;

    /// <summary>Starts the table over; answered with <see cref="BookmarkState"/>.</summary>
    public sealed record ResetTable(string ConnectionId, string Table, DateTimeOffset? StartDate) : ITableBookmarkCommand;

    /// <summary>The bookmark as it now is (in its serializable form).</summary>
    public sealed record BookmarkState(string ConnectionId, string Table, TableBookmarkSnapshot Snapshot) : IEngineMessage
    {
        public TableBookmark Bookmark => Snapshot.ToBookmark();
    }

    public static string PersistenceId(string connectionId, string table) => $"bookmark|{connectionId}|{table}";
}
