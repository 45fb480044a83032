using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Schema;

namespace ResponsysCluster.Engine.Files;

/// <summary>
/// Work pulling between runs and the file workers, which serve every run of every connection. A run announces
/// <see cref="WorkAvailable"/> to the workers whenever it has a job it may hand out; a free worker asks one run at
/// a time with <see cref="RequestWork"/>; the run answers with one <see cref="FileJob"/>, or with
/// <see cref="NoWorkNow"/> (nothing queued, or its connection's cap reached), and the worker asks the next run
/// that announced work. The worker owns a job until it answers <see cref="FileJobSucceeded"/> or
/// <see cref="FileJobFailed"/>. A worker that stops or times out loses its job: the run offers it again as a later attempt.
/// </summary>
public static class FileJobProtocol
{
    /// <summary>A run of the connection has jobs to hand out: a free worker answers with <see cref="RequestWork"/>.</summary>
    public sealed record WorkAvailable(Guid RunId, string ConnectionId) : IEngineMessage;

    /// <summary>
    /// A free worker asks the run (the sender of <see cref="WorkAvailable"/>) for one job, or for a
    /// <see cref="FileJobBatch"/> of up to <see cref="MaxFiles"/> small ones.
    /// </summary>
    public sealed record RequestWork(Guid RunId, int MaxFiles = 1) : IEngineMessage;

    /// <summary>The run has no job to hand out now; it announces <see cref="WorkAvailable"/> again when it has.</summary>
    public sealed record NoWorkNow(Guid RunId) : IEngineMessage;

    /// <summary>
    /// One file version to load, handed to one worker; answered with <see cref="FileJobSucceeded"/> or
    /// <see cref="FileJobFailed"/>. <see cref="Attempt"/> counts from 1; a result of an older attempt is ignored.
    /// </summary>
    public sealed record FileJob(Guid RunId, string ConnectionId, string Table, RemoteFile File, RemoteFile ReadyFile,
        IReadOnlyList<Column> InferredColumns, int Attempt, IReadOnlyList<string>? SelectedColumns = null) : IEngineMessage;

    /// <summary>Small file versions of one table, handed to one worker together: answered with a result per job.</summary>
    public sealed record FileJobBatch(IReadOnlyList<FileJob> Jobs) : IEngineMessage;

    /// <summary>
    /// The file version committed (or was already in the ledger). <see cref="RecordCount"/> says which count the
    /// ready file's record count matched; null when the version was already loaded. <see cref="SkippedBecause"/>
    /// says why a file was done without loading anything (an empty data file whose ready file expects nothing).
    /// <see cref="ValueNotes"/>: what the load did to values that the log must say (times in a DST gap moved forward).
    /// </summary>
    public sealed record FileJobSucceeded(FileJob Job, bool AlreadyLoaded, long RowsLoaded, long RowsReplaced, IReadOnlyList<string> ColumnsWidened,
        TimeSpan Duration, RecordCountOutcome? RecordCount, string? SkippedBecause = null, IReadOnlyList<string>? ValueNotes = null) : IEngineMessage
    {
        [System.Text.Json.Serialization.JsonIgnore]
        public IReadOnlyList<string> Notes => ValueNotes ?? [];
    }

    /// <summary>The file was not loaded (nothing of it committed), for the reason <see cref="Failure"/> keeps as data.</summary>
    public sealed record FileJobFailed(FileJob Job, FileFailure Failure, TimeSpan Duration) : IEngineMessage;

    /// <summary>Why a file failed: the file, the physical line and record when known, and the reason.</summary>
    public sealed record FileFailure(string Path, string Reason, long? Line = null, long? Record = null)
    {
        public static FileFailure Of(ExportFileException ex) => new(ex.FilePath, ex.Reason, ex.Line, ex.Record);

        /// <summary>One line for logs and reports, in the form <see cref="ExportFileException"/> uses.</summary>
        public string Message => ExportFileException.Describe(Path, Reason, Line, Record);
    }

    /// <summary>
    /// Published on the node's event stream while a file loads and when it ends, for progress displays:
    /// rows copied so far, and whether the file is finished (loaded or failed).
    /// </summary>
    public sealed record FileProgress(string ConnectionId, string Table, string Path, long FileSize, long Rows, bool Finished) : IEngineMessage;
}
