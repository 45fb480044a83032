using ResponsysCluster.Domain.Bookmarks;

namespace ResponsysCluster.Engine.Bookmarks;

/// <summary>Journal form of <see cref="FileVersionCompleted"/>: never renamed or changed; a new event is added instead.</summary>
public sealed record FileVersionCompletedEvent(string Path, DateTimeOffset Modified, long Size, DateTimeOffset? Watermark) : IEngineMessage
{
    public static FileVersionCompletedEvent From(FileVersionCompleted e) => new(e.Path, e.Modified, e.Size, e.Watermark);

    public FileVersionCompleted ToDomain() => new(Path, Modified, Size, Watermark);
}

/// <summary>Journal form of <see cref="TableReset"/>.</summary>
public sealed record TableResetEvent(DateTimeOffset? StartDate) : IEngineMessage
{
    public TableReset ToDomain() => new(StartDate);
}
