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
        Assert.Equal(["column_names:r", "extraction_log:r", "extraction_log_connection:i", "extraction_log_run:i", "file_ledger:r", "load_reports:r", "runs:r",
            "runs_connection:i", "schema_history:r", "schema_history_table:i", "schema_version:r", "table_names:r"], relations);
        // Each applied migration is recorded with what it did, for whoever reads the database later.
        Assert.Equal(ControlTableMigrations.All.Select(m => (object?)$"{m.Version}: {m.Description}"),
            (await Sql.RowsAsync(database.DataSource, "SELECT version || ': ' || description FROM responsys_cluster.schema_version ORDER BY version"))
            .Select(r => r[0]));
        Assert.All(ControlTableMigrations.All, m => Assert.False(string.IsNullOrWhiteSpace(m.Description)));
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

        Assert.Equal(12, (await ControlRelationsAsync(database.DataSource)).Count);
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

    private static Task<List<object?[]>> VersionsAsync(NpgsqlDataSource dataSource) =>
        Sql.RowsAsync(dataSource, "SELECT version, applied_at FROM responsys_cluster.schema_version ORDER BY version");

    private static Task<object?> IndexAsync(NpgsqlDataSource dataSource, string name) =>
        Sql.ScalarAsync(dataSource, "SELECT to_regclass(@n)::text", ("n", "responsys_cluster." + name));

    [Fact(Timeout = 60_000)]
    public async Task Should_upgrade_a_database_at_version_1_to_the_latest_version_keeping_its_rows()
    {
        await using var database = await ScratchDatabase.CreateAsync(server.ConnectionString);
        await ControlTables.EnsureAsync(database.DataSource, 1, CancellationToken.None);
        Assert.Equal(1, await ControlTables.VersionAsync(database.DataSource, CancellationToken.None));
        Assert.Null(await IndexAsync(database.DataSource, "schema_history_table"));
        await Sql.ScalarAsync(database.DataSource, """
            INSERT INTO responsys_cluster.file_ledger (connection_id, responsys_table, path, modified, size, rows_loaded, rows_replaced)
            VALUES ('c', 'LIST', '/x/LIST.csv', now(), 10, 2, 0)
            """);

        await ControlTables.EnsureAsync(database.DataSource, CancellationToken.None);

        Assert.Equal(ControlTableMigrations.Latest, await ControlTables.VersionAsync(database.DataSource, CancellationToken.None));
        Assert.Equal(ControlTableMigrations.All.Select(m => (object?)m.Version), (await VersionsAsync(database.DataSource)).Select(r => r[0]));
        Assert.Equal("responsys_cluster.schema_history_table", await IndexAsync(database.DataSource, "schema_history_table"));
        Assert.Equal(1L, await Sql.CountAsync(database.DataSource, "SELECT count(*) FROM responsys_cluster.file_ledger"));
        // The row from before version 4 has no node to name.
        Assert.Equal(1L, await Sql.CountAsync(database.DataSource, "SELECT count(*) FROM responsys_cluster.file_ledger WHERE loaded_by IS NULL"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_record_version_1_for_control_tables_created_before_versioning_and_upgrade_them()
    {
        await using var database = await ScratchDatabase.CreateAsync(server.ConnectionString);
        await Sql.ScalarAsync(database.DataSource, "CREATE SCHEMA responsys_cluster; " + ControlTableMigrations.All[0].Sql);
        Assert.Equal(0, await ControlTables.VersionAsync(database.DataSource, CancellationToken.None));

        await ControlTables.EnsureAsync(database.DataSource, CancellationToken.None);

        Assert.Equal(ControlTableMigrations.All.Select(m => (object?)m.Version), (await VersionsAsync(database.DataSource)).Select(r => r[0]));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_apply_each_migration_once_when_several_processes_start_at_once()
    {
        await using var database = await ScratchDatabase.CreateAsync(server.ConnectionString);

        // Each start on a connection of its own, as separate processes would; a second apply would break the version key.
        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => ControlTables.EnsureAsync(database.DataSource, CancellationToken.None))));

        Assert.Equal(ControlTableMigrations.All.Select(m => (object?)m.Version), (await VersionsAsync(database.DataSource)).Select(r => r[0]));
        Assert.Equal((long)ControlTableMigrations.All.Count, await Sql.CountAsync(database.DataSource,
            "SELECT count(*) FROM responsys_cluster.schema_version"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_leave_an_already_current_database_alone_without_waiting_for_the_migration_lock()
    {
        await using var database = await ScratchDatabase.CreateAsync(server.ConnectionString);
        await ControlTables.EnsureAsync(database.DataSource, CancellationToken.None);
        var before = await VersionsAsync(database.DataSource);
        await using var other = await database.DataSource.OpenConnectionAsync();
        await using (var hold = new NpgsqlCommand("SELECT pg_advisory_lock(727274001)", other))
            await hold.ExecuteNonQueryAsync();

        await ControlTables.EnsureAsync(database.DataSource, CancellationToken.None).WaitAsync(Deadline);

        Assert.Equal(before, await VersionsAsync(database.DataSource));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_report_a_version_table_that_cannot_be_read_rather_than_take_the_database_for_empty()
    {
        await using var database = await ScratchDatabase.CreateAsync(server.ConnectionString);
        await Sql.ScalarAsync(database.DataSource, "CREATE SCHEMA responsys_cluster; CREATE VIEW responsys_cluster.schema_version AS SELECT 1 / 0 AS version");

        var error = await Assert.ThrowsAsync<PostgresException>(() => ControlTables.VersionAsync(database.DataSource, CancellationToken.None));

        Assert.Equal(PostgresErrorCodes.DivisionByZero, error.SqlState);
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
