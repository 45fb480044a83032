using ResponsysCluster.Domain.Files;

namespace ResponsysCluster.Domain.Ports;

/// <summary>
/// The port to the database a connection loads into: the ledger of loaded file versions, the tables' columns, and
/// the exactly-once load of one file version. Fails with <see cref="DatabaseUnavailableException"/> when the
/// database cannot be used, and with <see cref="ExportFileException"/> for a problem of the file itself.
/// </summary>
public interface IFileVersionStore
{
    /// <summary>Whether the ledger holds this version of the table's file: one query, nothing else touched.</summary>
    Task<bool> IsLoadedAsync(string table, FileVersion version, CancellationToken cancellationToken);

    /// <summary>Whether the table already has columns (a first load samples the files to infer them).</summary>
    Task<bool> HasColumnsAsync(string table, CancellationToken cancellationToken);

    /// <summary>
    /// Loads the version exactly once, opening the file with <paramref name="open"/>; <paramref name="rowsCopied"/>
    /// hears the rows copied so far now and then; <paramref name="beforeCommit"/> runs after the whole file is read
    /// and before the load commits: what it throws fails the load, and nothing of the file is kept.
    /// </summary>
    Task<FileVersionLoaded> LoadAsync(FileVersionLoad load, Func<CancellationToken, Task<Stream>> open, Action<long>? rowsCopied,
        Func<CancellationToken, Task> beforeCommit, CancellationToken cancellationToken);

    /// <summary>
    /// Loads small file versions of one table together, one after another in one transaction: each exactly once,
    /// with its own delete of its earlier version and its own ledger row. A file that fails (an
    /// <see cref="ExportFileException"/>, or a value or statement the database refuses) fails alone, leaving nothing,
    /// and the others commit; a result per item, in order. A database that cannot be used fails the whole batch.
    /// </summary>
    Task<IReadOnlyList<FileVersionBatchResult>> LoadBatchAsync(IReadOnlyList<FileVersionBatchItem> items, CancellationToken cancellationToken);
}
