using Npgsql;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Postgres.Tests;

/// <summary>A table started over: its target table emptied, its ledger rows and its bookmark forgotten together, never under a run.</summary>
[Collection(PostgresCollection.Name)]
public sealed class TableResetTests(PostgresServer server) : IAsyncLifetime
{
    private readonly string connectionId = "reset_" + Guid.NewGuid().ToString("N")[..12];
    private ScratchDatabase database = null!;
    private int bookmarksForgotten;

    public async Task InitializeAsync()
    {
        database = await ScratchDatabase.CreateAsync(server.ConnectionString);
        await ControlTables.EnsureAsync(database.DataSource, CancellationToken.None);
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    private NpgsqlDataSource DataSource => database.DataSource;

    private Task ForgetBookmark(CancellationToken cancellationToken)
    {
        bookmarksForgotten++;
        return Task.CompletedTask;
    }

    /// <summary>A target table with <paramref name="rows"/> rows, named for the connection's Responsys table.</summary>
    private async Task TargetAsync(string connection, string table, string targetSchema, string targetTable, int rows)
    {
        await Sql.RowsAsync(DataSource, $"""
            CREATE SCHEMA IF NOT EXISTS "{targetSchema}";
            CREATE TABLE "{targetSchema}"."{targetTable}" (riid bigint);
            INSERT INTO "{targetSchema}"."{targetTable}" SELECT generate_series(1, {rows});
            INSERT INTO responsys_cluster.table_names (connection_id, responsys_table, target_schema, target_table) VALUES (@c, @t, @s, @n)
            """, ("c", connection), ("t", table), ("s", targetSchema), ("n", targetTable));
    }

    private async Task LedgerAsync(string connection, string table, string path) =>
        await Sql.RowsAsync(DataSource, """
            INSERT INTO responsys_cluster.file_ledger (connection_id, responsys_table, path, modified, size, rows_loaded, rows_replaced)
            VALUES (@c, @t, @p, now(), 10, 1, 0)
            """, ("c", connection), ("t", table), ("p", path));

    private Task<long> RowsAsync(string targetSchema, string targetTable) =>
        Sql.CountAsync(DataSource, $"""SELECT count(*) FROM "{targetSchema}"."{targetTable}" """);

    private Task<long> LedgerRowsAsync(string connection, string table) =>
        Sql.CountAsync(DataSource, "SELECT count(*) FROM responsys_cluster.file_ledger WHERE connection_id = @c AND responsys_table = @t",
            ("c", connection), ("t", table));

    [Fact(Timeout = 60_000)]
    public async Task Should_empty_the_table_and_forget_its_ledger_rows_and_its_bookmark_but_no_other_tables()
    {
        await TargetAsync(connectionId, "CONTACT_LIST", "Responsys Data", "Contact List", 3);
        await TargetAsync(connectionId, "EMAIL_OPENED", "Responsys Data", "email_opened", 2);
        await LedgerAsync(connectionId, "CONTACT_LIST", "/x/CONTACT_LIST_20180911.csv");
        await LedgerAsync(connectionId, "CONTACT_LIST", "/x/CONTACT_LIST_20180912.csv");
        await LedgerAsync(connectionId, "EMAIL_OPENED", "/x/EMAIL_OPENED_20180911.csv");
        await LedgerAsync("other_" + connectionId, "CONTACT_LIST", "/y/CONTACT_LIST_20180911.csv");

        var result = await new TableReset(DataSource).ResetAsync(connectionId, "CONTACT_LIST", ForgetBookmark, CancellationToken.None);

        Assert.Equal(new TableResetResult(TableResetOutcome.Reset, 2), result);
        Assert.Equal(1, bookmarksForgotten);
        Assert.Equal((0L, 0L), (await RowsAsync("Responsys Data", "Contact List"), await LedgerRowsAsync(connectionId, "CONTACT_LIST")));
        Assert.Equal((2L, 1L, 1L), (await RowsAsync("Responsys Data", "email_opened"), await LedgerRowsAsync(connectionId, "EMAIL_OPENED"),
            await LedgerRowsAsync("other_" + connectionId, "CONTACT_LIST")));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_change_nothing_while_a_run_of_the_connection_holds_its_run_lock()
    {
        await TargetAsync(connectionId, "CONTACT_LIST", "rsx_reset", "contact_list_" + connectionId, 3);
        await LedgerAsync(connectionId, "CONTACT_LIST", "/x/CONTACT_LIST_20180911.csv");
        await using var run = await ConnectionRunLock.TryAcquireAsync(database.ConnectionString, connectionId, "sync", CancellationToken.None);
        Assert.NotNull(run);

        var result = await new TableReset(DataSource).ResetAsync(connectionId, "CONTACT_LIST", ForgetBookmark, CancellationToken.None);

        Assert.Equal(new TableResetResult(TableResetOutcome.RunGoing, 0), result);
        Assert.Equal(0, bookmarksForgotten);
        Assert.Equal((3L, 1L), (await RowsAsync("rsx_reset", "contact_list_" + connectionId), await LedgerRowsAsync(connectionId, "CONTACT_LIST")));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_reset_a_table_held_by_no_run_while_another_connections_run_holds_its_own_lock()
    {
        await LedgerAsync(connectionId, "CONTACT_LIST", "/x/CONTACT_LIST_20180911.csv");
        await using var run = await ConnectionRunLock.TryAcquireAsync(database.ConnectionString, "other_" + connectionId, "sync", CancellationToken.None);
        Assert.NotNull(run);

        var result = await new TableReset(DataSource).ResetAsync(connectionId, "CONTACT_LIST", ForgetBookmark, CancellationToken.None);

        Assert.Equal(new TableResetResult(TableResetOutcome.Reset, 1), result);
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_keep_the_run_lock_until_the_reset_commits_so_that_no_run_starts_meanwhile()
    {
        await LedgerAsync(connectionId, "CONTACT_LIST", "/x/CONTACT_LIST_20180911.csv");
        ConnectionRunLock? runDuringReset = null;

        var result = await new TableReset(DataSource).ResetAsync(connectionId, "CONTACT_LIST", async cancellationToken =>
        {
            runDuringReset = await ConnectionRunLock.TryAcquireAsync(database.ConnectionString, connectionId, "sync", cancellationToken);
        }, CancellationToken.None);
        await using var runAfterReset = await ConnectionRunLock.TryAcquireAsync(database.ConnectionString, connectionId, "sync", CancellationToken.None);

        Assert.Equal(TableResetOutcome.Reset, result.Outcome);
        Assert.Null(runDuringReset);
        Assert.NotNull(runAfterReset);
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_forget_the_ledger_rows_of_a_table_whose_target_table_was_dropped()
    {
        await TargetAsync(connectionId, "CONTACT_LIST", "rsx_reset", "dropped_" + connectionId, 3);
        await Sql.RowsAsync(DataSource, $"""DROP TABLE "rsx_reset"."dropped_{connectionId}" """);
        await LedgerAsync(connectionId, "CONTACT_LIST", "/x/CONTACT_LIST_20180911.csv");

        var result = await new TableReset(DataSource).ResetAsync(connectionId, "CONTACT_LIST", ForgetBookmark, CancellationToken.None);

        Assert.Equal(new TableResetResult(TableResetOutcome.Reset, 1), result);
        Assert.Equal(1, bookmarksForgotten);
        Assert.Equal(0L, await LedgerRowsAsync(connectionId, "CONTACT_LIST"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_empty_a_created_table_that_has_no_ledger_rows_yet()
    {
        await TargetAsync(connectionId, "CONTACT_LIST", "rsx_reset", "unledgered_" + connectionId, 4);

        var result = await new TableReset(DataSource).ResetAsync(connectionId, "CONTACT_LIST", ForgetBookmark, CancellationToken.None);

        Assert.Equal(new TableResetResult(TableResetOutcome.Reset, 0), result);
        Assert.Equal(1, bookmarksForgotten);
        Assert.Equal(0L, await RowsAsync("rsx_reset", "unledgered_" + connectionId));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_call_a_table_the_connection_never_loaded_unknown_and_forget_no_bookmark()
    {
        // Loaded by another connection, while this one loaded another table only.
        await TargetAsync("other_" + connectionId, "CONTACT_LIST", "rsx_reset", "other_" + connectionId, 2);
        await LedgerAsync("other_" + connectionId, "CONTACT_LIST", "/y/CONTACT_LIST_20180911.csv");
        await LedgerAsync(connectionId, "EMAIL_OPENED", "/x/EMAIL_OPENED_20180911.csv");

        var result = await new TableReset(DataSource).ResetAsync(connectionId, "CONTACT_LIST", ForgetBookmark, CancellationToken.None);

        Assert.Equal(new TableResetResult(TableResetOutcome.UnknownTable, 0), result);
        Assert.Equal(0, bookmarksForgotten);
        Assert.Equal((2L, 1L), (await RowsAsync("rsx_reset", "other_" + connectionId), await LedgerRowsAsync("other_" + connectionId, "CONTACT_LIST")));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_keep_the_table_and_its_ledger_rows_when_forgetting_the_bookmark_fails()
    {
        await TargetAsync(connectionId, "CONTACT_LIST", "rsx_reset", "kept_" + connectionId, 3);
        await LedgerAsync(connectionId, "CONTACT_LIST", "/x/CONTACT_LIST_20180911.csv");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new TableReset(DataSource).ResetAsync(connectionId, "CONTACT_LIST",
            _ => throw new InvalidOperationException("journal unavailable"), CancellationToken.None));

        Assert.Equal("journal unavailable", error.Message);
        Assert.Equal((3L, 1L), (await RowsAsync("rsx_reset", "kept_" + connectionId), await LedgerRowsAsync(connectionId, "CONTACT_LIST")));
    }
}
