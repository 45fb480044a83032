using Npgsql;

namespace ResponsysCluster.Postgres;

/// <summary>
/// What the ledger holds of one table of a connection: the file versions loaded into it (a file changed and loaded
/// again counts again) and their rows, the version loaded last, and the newest modification time loaded, which is
/// how far the table has caught up with its exports.
/// </summary>
public sealed record LoadedTable(string ConnectionId, string Table, long FilesLoaded, long RowsLoaded, long RowsReplaced,
    string LastPath, DateTimeOffset LastLoadedAt, string? LastLoadedBy, DateTimeOffset NewestModified)
{
    /// <summary>How far the table is behind at <paramref name="now"/>: the age of the newest export loaded into it.</summary>
    public TimeSpan LagAt(DateTimeOffset now) => now - NewestModified;
}

/// <summary>The tables each connection has loaded, read from the file ledger, for the status page and the management API.</summary>
public sealed class LoadedTables(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// One <see cref="LoadedTable"/> per (connection, table) the ledger holds, by connection then table; only
    /// <paramref name="connectionId"/>'s when given, else every connection's.
    /// </summary>
    public async Task<IReadOnlyList<LoadedTable>> OfAsync(string? connectionId, CancellationToken cancellationToken)
    {
        // The files of one batch share their transaction's loaded_at: the newest modification breaks the tie, then the path.
        await using var command = dataSource.CreateCommand($"""
            SELECT connection_id, responsys_table, count(*), sum(rows_loaded)::bigint, sum(rows_replaced)::bigint,
                   (array_agg(path ORDER BY loaded_at DESC, modified DESC, path DESC))[1], max(loaded_at),
                   (array_agg(loaded_by ORDER BY loaded_at DESC, modified DESC, path DESC))[1], max(modified)
            FROM {ControlTables.Schema}.file_ledger
            {(connectionId is null ? "" : "WHERE connection_id = @c")}
            GROUP BY connection_id, responsys_table
            ORDER BY connection_id, responsys_table
            """);
        if (connectionId is not null) command.Parameters.AddWithValue("c", connectionId);
        var tables = new List<LoadedTable>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            tables.Add(new LoadedTable(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
                reader.GetString(5), reader.GetFieldValue<DateTimeOffset>(6), reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.GetFieldValue<DateTimeOffset>(8)));
        }
        return tables;
    }
}
