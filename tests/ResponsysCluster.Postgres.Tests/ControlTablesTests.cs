using Npgsql;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Postgres.Tests;

/// <summary>
/// Each test gets a database of its own: the control schema is one per database, and the shared database
/// already has it from the other test assemblies.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ControlTablesTests(PostgresServer server)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static Task<List<object?[]>> ControlRelationsAsync(NpgsqlDataSource dataSource) =>
        Sql.RowsAsync(dataSource, "SELECT relname, relkind::text FROM pg_class WHERE relnamespace = 'responsys_cluster'::regnamespace AND relkind IN ('r', 'i') AND relname NOT LIKE '%_pkey' AND relname NOT LIKE '%_key' ORDER BY relname");

    [Fact(Timeout = 60_000)]
    public async Task Should_create_the_control_schema_with_its_tables_in_an_empty_database()
    {
        await using var database = await ScratchDatabase.CreateAsync(server.ConnectionString);

        await ControlTables.EnsureAsync(database.DataSource, CancellationToken.None);

        var relations = (await ControlRelationsAsync(database.DataSource)).Select(r => $"{r[0]}:{r[1]}");
        Assert.Equal(["column_names:r", "extraction_log:r", "extraction_log_run:i", "file_ledger:r", "load_reports:r", "schema_history:r", "table_names:r"], relations);
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_keep_the_rows_already_there_when_ensured_again()
    {
        await using var database = await ScratchDatabase.CreateAsync(server.ConnectionString);
        await ControlTables.EnsureAsync(database.DataSource, CancellationToken.None);
        await Sql.ScalarAsync(database.DataSource, """
            INSERT INTO responsys_cluster.file_ledger (connection_id, responsys_table, path, modified, size, rows_loaded, rows_replaced)
            VALUES ('c', 'LIST', '/x/LIST.csv', now(), 10, 2, 0)
            """);

        await ControlTables.EnsureAsync(database.DataSource, CancellationToken.None);

        Assert.Equal(1L, await Sql.CountAsync(database.DataSource, "SELECT count(*) FROM responsys_cluster.file_ledger WHERE path = '/x/LIST.csv'"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_let_several_loaders_create_the_control_tables_at_once()
    {
        await using var database = await ScratchDatabase.CreateAsync(server.ConnectionString);

        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => ControlTables.EnsureAsync(database.DataSource, CancellationToken.None))));

        Assert.Equal(7, (await ControlRelationsAsync(database.DataSource)).Count);
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_create_nothing_while_another_loader_is_creating_the_control_tables()
    {
        await using var database = await ScratchDatabase.CreateAsync(server.ConnectionString);
        await using var other = await database.DataSource.OpenConnectionAsync();
        await using (var hold = new NpgsqlCommand("SELECT pg_advisory_lock(727274001)", other))
            await hold.ExecuteNonQueryAsync();

        var ensure = ControlTables.EnsureAsync(database.DataSource, CancellationToken.None);
        await WaitUntilAsync(async () => await Sql.CountAsync(database.DataSource,
            """
            SELECT count(*) FROM pg_locks
            WHERE locktype = 'advisory' AND objid = 727274001 AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """) == 1);

        Assert.False(ensure.IsCompleted);
        Assert.Null(await Sql.ScalarAsync(database.DataSource, "SELECT to_regnamespace('responsys_cluster')::text"));
        await using (var release = new NpgsqlCommand("SELECT pg_advisory_unlock(727274001)", other))
            await release.ExecuteNonQueryAsync();
        await ensure.WaitAsync(Deadline);
        Assert.Equal("responsys_cluster", await Sql.ScalarAsync(database.DataSource, "SELECT to_regnamespace('responsys_cluster')::text"));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met within " + Deadline);
            await Task.Delay(20);
        }
    }
}
