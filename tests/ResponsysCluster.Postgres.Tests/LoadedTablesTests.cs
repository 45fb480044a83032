using ResponsysCluster.TestServers;

namespace ResponsysCluster.Postgres.Tests;

[Collection(PostgresCollection.Name)]
public sealed class LoadedTablesTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly DateTimeOffset Batch = new(2026, 11, 30, 10, 0, 0, TimeSpan.Zero);
    private ScratchDatabase database = null!;

    public async Task InitializeAsync()
    {
        database = await ScratchDatabase.CreateAsync(server.ConnectionString);
        await ControlTables.EnsureAsync(database.DataSource, CancellationToken.None);
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    private async Task LedgerAsync(string connection, string table, string path, DateTimeOffset modified, long rows, long replaced,
        DateTimeOffset loadedAt, string? loadedBy) =>
        await Sql.RowsAsync(database.DataSource, """
            INSERT INTO responsys_cluster.file_ledger (connection_id, responsys_table, path, modified, size, rows_loaded, rows_replaced, loaded_at, loaded_by)
            VALUES (@c, @t, @p, @m, 10, @r, @x, @at, @by)
            """, ("c", connection), ("t", table), ("p", path), ("m", modified.UtcDateTime), ("r", rows), ("x", replaced), ("at", loadedAt.UtcDateTime),
            ("by", (object?)loadedBy ?? DBNull.Value));

    [Fact]
    public async Task Should_give_one_line_per_connection_and_table_with_its_files_rows_last_file_and_newest_modification()
    {
        var (older, newer) = (new DateTimeOffset(2018, 9, 11, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2018, 9, 12, 9, 0, 0, TimeSpan.Zero));
        await LedgerAsync("a", "LIST", "/x/LIST_20180911.csv", older, 2, 0, Batch.AddHours(-1), null);
        // One batch: both loaded at once; the newer export is the last loaded.
        await LedgerAsync("a", "LIST", "/x/LIST_20180912.csv", newer, 3, 1, Batch, "node-b");
        await LedgerAsync("a", "LIST", "/x/LIST_20180911.csv", older.AddMinutes(5), 4, 2, Batch, "node-b");
        await LedgerAsync("a", "CONTACT", "/x/CONTACT_20180911.csv", older, 7, 0, Batch, "node-a");
        await LedgerAsync("b", "LIST", "/y/LIST_20180911.csv", older, 1, 0, Batch, "node-a");

        var all = await new LoadedTables(database.DataSource).OfAsync(null, CancellationToken.None);

        Assert.Equal(
        [
            new LoadedTable("a", "CONTACT", 1, 7, 0, "/x/CONTACT_20180911.csv", Batch, "node-a", older),
            new LoadedTable("a", "LIST", 3, 9, 3, "/x/LIST_20180912.csv", Batch, "node-b", newer),
            new LoadedTable("b", "LIST", 1, 1, 0, "/y/LIST_20180911.csv", Batch, "node-a", older),
        ], all);
    }

    [Fact]
    public async Task Should_give_only_the_tables_of_the_connection_asked_for_and_none_of_a_connection_that_loaded_nothing()
    {
        var at = new DateTimeOffset(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);
        await LedgerAsync("a", "LIST", "/x/LIST_20180911.csv", at, 2, 0, Batch, null);
        await LedgerAsync("b", "LIST", "/y/LIST_20180911.csv", at, 1, 0, Batch, null);
        var tables = new LoadedTables(database.DataSource);

        var ofB = Assert.Single(await tables.OfAsync("b", CancellationToken.None));

        Assert.Equal(("b", "/y/LIST_20180911.csv", (string?)null), (ofB.ConnectionId, ofB.LastPath, ofB.LastLoadedBy));
        Assert.Empty(await tables.OfAsync("c", CancellationToken.None));
        Assert.Equal(TimeSpan.FromDays(2), ofB.LagAt(at.AddDays(2)));
    }
}
