using System.Net;
using System.Net.Sockets;
using Npgsql;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Ports;
using ResponsysCluster.TestServers;
using static ResponsysCluster.Postgres.Tests.TestFiles;

namespace ResponsysCluster.Postgres.Tests;

/// <summary>The engine's file-version store on the real PostgreSQL: the ledger and column questions, and Npgsql's errors as the domain's.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresFileVersionStoreTests(PostgresServer server) : IAsyncLifetime
{
    private readonly string connection = "s" + Guid.NewGuid().ToString("N")[..12];
    private NpgsqlDataSource dataSource = null!;

    public async Task InitializeAsync()
    {
        dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        await ControlTables.EnsureAsync(dataSource, CancellationToken.None);
    }

    public async Task DisposeAsync() => await dataSource.DisposeAsync();

    private PostgresFileVersionStore Store(NpgsqlDataSource source, DatabaseBudget? budget = null) =>
        new(source, connection, connection, new CsvFormat(',', ExportEncoding.Utf8), TimeZoneInfo.Utc, "node-s", budget);

    [Fact(Timeout = 60_000)]
    public async Task Should_know_a_version_and_the_tables_columns_only_once_it_is_loaded()
    {
        var store = Store(dataSource);
        var load = Load("LIST", "/x/LIST_1.csv", "ID\n1\n", T, expected: 1);
        Assert.False(await store.IsLoadedAsync("LIST", load.Version, CancellationToken.None));
        Assert.False(await store.HasColumnsAsync("LIST", CancellationToken.None));

        var checks = 0;
        var loaded = await store.LoadAsync(load, Content("ID\n1\n"), null, _ => Task.FromResult(++checks), CancellationToken.None);

        Assert.Equal((false, 1L, 1), (loaded.AlreadyLoaded, loaded.RowsLoaded, checks));
        Assert.True(await store.IsLoadedAsync("LIST", load.Version, CancellationToken.None));
        Assert.False(await store.IsLoadedAsync("LIST", load.Version with { Size = load.Version.Size + 1 }, CancellationToken.None));
        Assert.True(await store.HasColumnsAsync("LIST", CancellationToken.None));
        Assert.False(await store.HasColumnsAsync("OTHER", CancellationToken.None));
        Assert.Equal("node-s", await Sql.ScalarAsync(dataSource,
            "SELECT loaded_by FROM responsys_cluster.file_ledger WHERE connection_id = @c", ("c", connection)));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_keep_nothing_when_the_last_check_before_commit_fails()
    {
        var store = Store(dataSource);
        var load = Load("LIST", "/x/LIST_1.csv", "ID\n1\n", T, expected: 1);
        var error = await Assert.ThrowsAsync<Domain.Files.ExportFileException>(() => store.LoadAsync(load, Content("ID\n1\n"), null,
            _ => throw new Domain.Files.ExportFileException("/x/LIST_1.csv", "the file changed while it was read"), CancellationToken.None));

        Assert.Equal("the file changed while it was read", error.Reason);
        Assert.False(await store.IsLoadedAsync("LIST", load.Version, CancellationToken.None));
        Assert.Equal(0L, await Sql.CountAsync(dataSource, $"SELECT count(*) FROM {connection}.list"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_report_a_database_it_cannot_reach_as_unavailable()
    {
        // A port bound but never listening: every connection to it is refused at once, and no one else can take it.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var refused = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Port = ((IPEndPoint)socket.LocalEndPoint!).Port, Timeout = 5 };
        await using var unreachable = NpgsqlDataSource.Create(refused.ConnectionString);
        var error = await Assert.ThrowsAsync<DatabaseUnavailableException>(() =>
            Store(unreachable).IsLoadedAsync("LIST", Load("LIST", "/x/a.csv", "ID\n", T).Version, CancellationToken.None));
        Assert.StartsWith("PostgreSQL: ", error.Message);
        // The run's records go through the same translation.
        var stepError = await Assert.ThrowsAsync<DatabaseUnavailableException>(() =>
            new RunRecords(unreachable, connection).StepAsync(Guid.NewGuid(), "connect", "connected"));
        Assert.StartsWith("PostgreSQL: ", stepError.Message);
    }

    /// <summary>Loads a first file, then puts a rule of the user's own on the target table: a trigger raising <paramref name="sqlState"/> for an id of 99.</summary>
    private async Task<PostgresFileVersionStore> StoreWithRefusingTriggerAsync(string sqlState, string message)
    {
        var store = Store(dataSource);
        await store.LoadAsync(Load("LIST", "/x/LIST_1.csv", "ID\n1\n", T), Content("ID\n1\n"), null, _ => Task.CompletedTask, CancellationToken.None);
        await Sql.ScalarAsync(dataSource, $$"""
            CREATE FUNCTION {{connection}}.refuse_99() RETURNS trigger LANGUAGE plpgsql AS
            $f$ BEGIN IF NEW.id = 99 THEN RAISE EXCEPTION '{{message}}' USING ERRCODE = '{{sqlState}}'; END IF; RETURN NEW; END $f$;
            CREATE TRIGGER refuse_99 BEFORE INSERT ON {{connection}}.list FOR EACH ROW EXECUTE FUNCTION {{connection}}.refuse_99();
            """);
        return store;
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_fail_the_file_naming_it_when_postgres_refuses_one_of_its_values_and_keep_the_earlier_file()
    {
        // A data exception (class 22): a value of the file is refused.
        var store = await StoreWithRefusingTriggerAsync("22023", "id 99 is not allowed");
        var second = Load("LIST", "/x/LIST_2.csv", "ID\n98\n99\n", T.AddHours(1));

        var error = await Assert.ThrowsAsync<Domain.Files.ExportFileException>(() =>
            store.LoadAsync(second, Content("ID\n98\n99\n"), null, _ => Task.CompletedTask, CancellationToken.None));

        Assert.Equal("/x/LIST_2.csv", error.FilePath);
        Assert.Equal("PostgreSQL refused a value: id 99 is not allowed", error.Reason);
        Assert.False(await store.IsLoadedAsync("LIST", second.Version, CancellationToken.None));
        Assert.Equal(1L, await Sql.CountAsync(dataSource, $"SELECT count(*) FROM {connection}.list"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_report_the_database_not_the_file_when_postgres_fails_a_load_for_a_reason_other_than_a_value()
    {
        // Refused for a reason of the database's (class 42, a privilege), not of the file's values: the file is not to blame.
        var store = await StoreWithRefusingTriggerAsync("42501", "not allowed to insert");
        var second = Load("LIST", "/x/LIST_2.csv", "ID\n99\n", T.AddHours(1));

        var error = await Assert.ThrowsAsync<DatabaseUnavailableException>(() =>
            store.LoadAsync(second, Content("ID\n99\n"), null, _ => Task.CompletedTask, CancellationToken.None));

        Assert.StartsWith("PostgreSQL: 42501: not allowed to insert", error.Message);
        Assert.False(await store.IsLoadedAsync("LIST", second.Version, CancellationToken.None));
    }

    private static Domain.Files.FileVersionBatchItem Item(string path, string csv, int hour) =>
        new(Load("LIST", path, csv, T.AddHours(hour)), Content(csv), _ => Task.CompletedTask);

    [Theory(Timeout = 60_000)]
    // A data exception (class 22): a value of the file is refused.
    [InlineData("22023", "id 99 is not allowed", "PostgreSQL refused a value: id 99 is not allowed")]
    // Any other refusal inside a batch fails that file alone too, with the database's words and code.
    [InlineData("42501", "not allowed to insert", "PostgreSQL: not allowed to insert (42501)")]
    public async Task Should_fail_alone_the_file_of_a_batch_that_postgres_refuses_naming_it_and_why(string sqlState, string message, string reason)
    {
        var store = await StoreWithRefusingTriggerAsync(sqlState, message);

        var results = await store.LoadBatchAsync(
            [Item("/x/LIST_2.csv", "ID\n98\n", 1), Item("/x/LIST_3.csv", "ID\n99\n", 2), Item("/x/LIST_4.csv", "ID\n97\n", 3)], CancellationToken.None);

        Assert.Equal([1L, null, 1L], results.Select(r => r.Loaded?.RowsLoaded));
        var error = Assert.IsType<Domain.Files.ExportFileException>(results[1].Failure);
        Assert.Equal(("/x/LIST_3.csv", reason), (error.FilePath, error.Reason));
        Assert.Equal([1L, 97L, 98L], (await Sql.RowsAsync(dataSource, $"SELECT id FROM {connection}.list ORDER BY id")).Select(r => r[0]));
    }

    /// <summary>
    /// Holds the node's only load slot with a first file whose opening waits, starts <paramref name="second"/>, then
    /// lets the first go on: the number of ledger rows committed when the second file was opened.
    /// </summary>
    private async Task<long> LedgerRowsCommittedWhenTheSecondOpensAsync(PostgresFileVersionStore store,
        Func<Func<CancellationToken, Task<Stream>>, Task> second)
    {
        var firstOpened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var goOn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = store.LoadAsync(Load("LIST", "/x/LIST_1.csv", "ID\n1\n", T), async ct =>
        {
            firstOpened.TrySetResult();
            await goOn.Task.WaitAsync(ct);
            return await Content("ID\n1\n")(ct);
        }, null, _ => Task.CompletedTask, CancellationToken.None);
        await firstOpened.Task.WaitAsync(TimeSpan.FromSeconds(30));

        long? committedAtOpen = null;
        var secondTask = second(async ct =>
        {
            committedAtOpen = await Sql.CountAsync(dataSource, "SELECT count(*) FROM responsys_cluster.file_ledger WHERE connection_id = @c", ("c", connection));
            return await Content("ID\n2\n")(ct);
        });
        goOn.SetResult();
        await Task.WhenAll(first, secondTask).WaitAsync(TimeSpan.FromSeconds(30));
        return committedAtOpen!.Value;
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_open_a_file_only_once_the_node_budget_has_a_load_slot_free()
    {
        using var budget = new DatabaseBudget(DatabaseBudget.Minimum);
        var store = Store(dataSource, budget);

        var committed = await LedgerRowsCommittedWhenTheSecondOpensAsync(store, open =>
            store.LoadAsync(Load("LIST", "/x/LIST_2.csv", "ID\n2\n", T.AddHours(1)), open, null, _ => Task.CompletedTask, CancellationToken.None));

        Assert.Equal(1L, committed);
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_start_a_batch_only_once_the_node_budget_has_a_load_slot_free()
    {
        using var budget = new DatabaseBudget(DatabaseBudget.Minimum);
        var store = Store(dataSource, budget);

        var committed = await LedgerRowsCommittedWhenTheSecondOpensAsync(store, open =>
            store.LoadBatchAsync([new(Load("LIST", "/x/LIST_2.csv", "ID\n2\n", T.AddHours(1)), open, _ => Task.CompletedTask)], CancellationToken.None));

        Assert.Equal(1L, committed);
    }
}
