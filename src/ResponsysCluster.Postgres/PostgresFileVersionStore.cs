using Npgsql;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Ports;

namespace ResponsysCluster.Postgres;

/// <summary>
/// The file-version store of one connection on PostgreSQL: the ledger and column queries, and loads through
/// <see cref="FileVersionLoader"/>, with Npgsql's errors turned into the domain's.
/// </summary>
public sealed class PostgresFileVersionStore(NpgsqlDataSource dataSource, string connectionId, string targetSchema, CsvFormat format,
    TimeZoneInfo wallClockZone) : IFileVersionStore
{
    public Task<bool> IsLoadedAsync(string table, FileVersion version, CancellationToken cancellationToken) =>
        DatabaseErrors.TranslateAsync(async () =>
        {
            await using var command = dataSource.CreateCommand($"""
                SELECT EXISTS (SELECT FROM {ControlTables.Schema}.file_ledger
                    WHERE connection_id = @c AND responsys_table = @t AND path = @p AND modified = @m AND size = @s)
                """);
            command.Parameters.AddWithValue("c", connectionId);
            command.Parameters.AddWithValue("t", table);
            command.Parameters.AddWithValue("p", version.Path);
            command.Parameters.AddWithValue("m", version.Modified.UtcDateTime);
            command.Parameters.AddWithValue("s", version.Size);
            return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        });

    public Task<bool> HasColumnsAsync(string table, CancellationToken cancellationToken) =>
        DatabaseErrors.TranslateAsync(async () =>
        {
            await using var command = dataSource.CreateCommand($"""
                SELECT EXISTS (SELECT FROM {ControlTables.Schema}.column_names WHERE connection_id = @c AND responsys_table = @t)
                """);
            command.Parameters.AddWithValue("c", connectionId);
            command.Parameters.AddWithValue("t", table);
            return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        });

    public Task<FileVersionLoaded> LoadAsync(FileVersionLoad load, Func<CancellationToken, Task<Stream>> open, Action<long>? rowsCopied,
        Func<CancellationToken, Task> beforeCommit, CancellationToken cancellationToken) =>
        DatabaseErrors.TranslateAsync(() =>
        {
            var loader = new FileVersionLoader(dataSource, new TargetTables(dataSource, connectionId, targetSchema), connectionId, format, wallClockZone);
            return loader.LoadAsync(load, open, cancellationToken, rowsCopied, beforeCommit: beforeCommit);
        }, load.Version.Path);
}
