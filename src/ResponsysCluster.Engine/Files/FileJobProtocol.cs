using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Schema;

namespace ResponsysCluster.Engine.Files;

/// <summary>Messages between a connection's run and the file workers.</summary>
public static class FileJobProtocol
{
    /// <summary>One file version to load; answered with <see cref="FileJobSucceeded"/> or <see cref="FileJobFailed"/>.</summary>
    public sealed record LoadFile(string ConnectionId, string Table, RemoteFile File, RemoteFile ReadyFile, IReadOnlyList<Column> InferredColumns) : IEngineMessage;

    /// <summary>
    /// The file version committed (or was already in the ledger). <see cref="RecordCount"/> says which count the
    /// ready file's record count matched; null when the version was already loaded.
    /// </summary>
    public sealed record FileJobSucceeded(LoadFile Job, bool AlreadyLoaded, long RowsLoaded, long RowsReplaced, IReadOnlyList<string> ColumnsWidened,
        TimeSpan Duration, RecordCountOutcome? RecordCount) : IEngineMessage;

    /// <summary>
    /// Published on the node's event stream while a file loads and when it ends, for progress displays:
    /// rows copied so far, and whether the file is finished (loaded or failed).
    /// </summary>
    public sealed record FileProgress(string ConnectionId, string Table, string Path, long FileSize, long Rows, bool Finished) : IEngineMessage;

    /// <summary>The file was not loaded (nothing of it committed); <see cref="Error"/> names the file, line and reason.</summary>
    public sealed record FileJobFailed(LoadFile Job, string Error, TimeSpan Duration) : IEngineMessage;
}
