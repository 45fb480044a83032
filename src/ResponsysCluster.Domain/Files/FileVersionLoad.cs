using ResponsysCluster.Domain.Schema;

namespace ResponsysCluster.Domain.Files;

/// <summary>One file version to load into one table.</summary>
/// <param name="Table">The Responsys table name.</param>
/// <param name="Version">Path, mtime and size: the ledger key, with the connection and table.</param>
/// <param name="ExpectedRecords">The ready file's record count, when it has one.</param>
/// <param name="InferredColumns">Types for columns the table does not have yet (others start as text).</param>
/// <param name="ReadyFileName">The ready file's name, for the message of a count mismatch.</param>
/// <param name="SelectedColumns">The only columns loaded (the connection's <c>columns</c> key); null: all.</param>
public sealed record FileVersionLoad(string Table, FileVersion Version, long? ExpectedRecords, IReadOnlyList<Column> InferredColumns,
    string? ReadyFileName = null, IReadOnlyList<string>? SelectedColumns = null);

/// <summary>What loading a file version did.</summary>
/// <param name="AlreadyLoaded">The ledger already held this version: nothing was loaded.</param>
/// <param name="RowsLoaded">Rows copied in.</param>
/// <param name="RowsReplaced">Rows an earlier version of the same path had loaded, now deleted.</param>
/// <param name="ColumnsWidened">Columns widened on the way (each costs one more pass over the file).</param>
/// <param name="RecordCount">Which count the ready file's record count matched (with or without the header row);
/// null when the version was already loaded and nothing was read.</param>
/// <param name="ValueNotes">What the load did to values that a user should hear of, once per file (wall-clock times
/// in a DST gap moved forward).</param>
public sealed record FileVersionLoaded(bool AlreadyLoaded, long RowsLoaded, long RowsReplaced, IReadOnlyList<string> ColumnsWidened,
    RecordCountOutcome? RecordCount = null, IReadOnlyList<string>? ValueNotes = null)
{
    public IReadOnlyList<string> Notes => ValueNotes ?? [];
}

/// <summary>
/// One file version of a batch: the load, how to open the file, and what to check before its rows are kept
/// (see <see cref="Ports.IFileVersionStore.LoadBatchAsync"/>).
/// </summary>
public sealed record FileVersionBatchItem(FileVersionLoad Load, Func<CancellationToken, Task<Stream>> Open, Func<CancellationToken, Task> BeforeCommit);

/// <summary>What one file of a batch came to: <paramref name="Loaded"/>, or the <paramref name="Failure"/> that failed it alone.</summary>
public sealed record FileVersionBatchResult(FileVersionLoaded? Loaded, Exception? Failure)
{
    public static FileVersionBatchResult Of(FileVersionLoaded loaded) => new(loaded, null);

    public static FileVersionBatchResult Failed(Exception failure) => new(null, failure);
}
