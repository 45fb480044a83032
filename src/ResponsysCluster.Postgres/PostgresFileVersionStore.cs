using Npgsql;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Ports;

namespace ResponsysCluster.Postgres;

/// <summary>
/// The file-version store of one connection on PostgreSQL: the ledger and column queries, and loads through
/// <see cref="FileVersionLoader"/>, with Npgsql's errors turned into the domain's. With a node's
/// <paramref name="budget"/>, each load waits for one of its slots.
/// </summary>
public sealed class PostgresFileVersionStore(NpgsqlDataSource dataSource, string connectionId, string targetSchema, CsvFormat format,
    TimeZoneInfo wallClockZone, string loadedBy, DatabaseBudget? budget = null) : IFileVersionStore
{
    public Task<bool> IsLoadedAsync(string table, FileVersion version, CancellationToken cancellationToken) =>
        DatabaseErrors.TranslateAsync(async () => await Loader().LoadedRowsAsync(table, version, cancellationToken).ConfigureAwait(false) is not null);

    public Task<bool> HasColumnsAsync(string table, CancellationToken cancellationToken) =>
        DatabaseErrors.TranslateAsync(async () => (await tables.ColumnsOfAsync(table, cancellationToken).ConfigureAwait(false)).Count > 0);

    public Task<FileVersionLoaded> LoadAsync(FileVersionLoad load, Func<CancellationToken, Task<Stream>> open, Action<long>? rowsCopied,
        Func<CancellationToken, Task> beforeCommit, CancellationToken cancellationToken) =>
        DatabaseErrors.TranslateAsync(() => budget is null
            ? Load(load, open, rowsCopied, beforeCommit, cancellationToken)
            : budget.LoadAsync(() => Load(load, open, rowsCopied, beforeCommit, cancellationToken), cancellationToken), load.Version.Path);

    private Task<FileVersionLoaded> Load(FileVersionLoad load, Func<CancellationToken, Task<Stream>> open, Action<long>? rowsCopied,
        Func<CancellationToken, Task> beforeCommit, CancellationToken cancellationToken) =>
        Loader().LoadAsync(load, open, cancellationToken, rowsCopied, beforeCommit: beforeCommit);

    public Task<IReadOnlyList<FileVersionBatchResult>> LoadBatchAsync(IReadOnlyList<FileVersionBatchItem> items, CancellationToken cancellationToken) =>
        DatabaseErrors.TranslateAsync(() => budget is null
            ? Loader().LoadBatchAsync(items, cancellationToken)
            : budget.LoadAsync(() => Loader().LoadBatchAsync(items, cancellationToken), cancellationToken));

    // One for the store's life: it remembers the tables it has made sure of, which saves a transaction per file.
    private readonly TargetTables tables = new(dataSource, connectionId, targetSchema);

    private FileVersionLoader Loader() => new(dataSource, tables, connectionId, format, wallClockZone, loadedBy);
}
