using Npgsql;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.TestServers;
using static ResponsysCluster.Postgres.Tests.TestFiles;

namespace ResponsysCluster.Postgres.Tests;

/// <summary>Small file versions of one table loaded together: one transaction, a savepoint per file, a failure alone.</summary>
[Collection(PostgresCollection.Name)]
public sealed class FileVersionLoaderBatchTests(PostgresServer server) : IAsyncLifetime
{
    private readonly string schema = "b_" + Guid.NewGuid().ToString("N")[..12];
    private NpgsqlDataSource dataSource = null!;

    public async Task InitializeAsync()
    {
        dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        await ControlTables.EnsureAsync(dataSource, CancellationToken.None);
    }

    public async Task DisposeAsync() => await dataSource.DisposeAsync();

    private FileVersionLoader Loader() =>
        new(dataSource, new TargetTables(dataSource, schema, schema), schema, new CsvFormat(',', ExportEncoding.Utf8), TimeZoneInfo.Utc);

    private static FileVersionBatchItem Item(string name, string csv, long? expected, int minute = 0) =>
        new(Load("EVENTS", "/x/" + name, csv, T.AddMinutes(minute), expected), Content(csv), _ => Task.CompletedTask);

    private async Task<long> ScalarAsync(string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>Ledger rows of the test's files that another session sees (committed ones).</summary>
    private Task<long> CommittedLedgerRowsAsync() =>
        ScalarAsync($"SELECT count(*) FROM responsys_cluster.file_ledger WHERE connection_id = '{schema}'");

    /// <summary>The item, whose file, when opened, first notes how many ledger rows are committed then.</summary>
    private FileVersionBatchItem Watching(FileVersionBatchItem item, List<long> committedAtOpen) => item with
    {
        Open = async ct =>
        {
            committedAtOpen.Add(await CommittedLedgerRowsAsync());
            return await item.Open(ct);
        },
    };

    [Fact]
    public async Task Should_load_every_file_of_the_batch_in_one_transaction_each_with_its_own_ledger_row()
    {
        var committedAtLastOpen = new List<long>();
        var items = Enumerable.Range(1, 5).Select(i => Item($"EVENTS_{i}.csv", $"ID,NAME\n{i}1,a\n{i}2,b\n", 2, i)).ToList();
        items[4] = Watching(items[4], committedAtLastOpen);

        var results = await Loader().LoadBatchAsync(items, CancellationToken.None);

        Assert.All(results, r => Assert.Equal((false, 2L), (r.Loaded!.AlreadyLoaded, r.Loaded.RowsLoaded)));
        // Four files were loaded when the fifth was opened, yet none was committed: one transaction for all.
        Assert.Equal([0L], committedAtLastOpen);
        Assert.Equal(10, await ScalarAsync($"SELECT count(*) FROM {schema}.events"));
        Assert.Equal(5, await CommittedLedgerRowsAsync());
    }

    [Fact]
    public async Task Should_fail_a_file_alone_leaving_none_of_its_rows_and_commit_the_others()
    {
        List<FileVersionBatchItem> items =
        [
            Item("EVENTS_1.csv", "ID\n1\n2\n", 2, 1),
            Item("EVENTS_2.csv", "ID\n3\n4\n", 5, 2),
            Item("EVENTS_3.csv", "ID\n5\n\"6\n", 2, 3),
            Item("EVENTS_4.csv", "ID\n7\n8\n", 2, 4),
        ];

        var results = await Loader().LoadBatchAsync(items, CancellationToken.None);

        Assert.Equal([2L, null, null, 2L], results.Select(r => r.Loaded?.RowsLoaded));
        Assert.StartsWith("/x/EVENTS_2.csv: record count mismatch", results[1].Failure!.Message);
        Assert.StartsWith("/x/EVENTS_3.csv", results[2].Failure!.Message);
        Assert.Equal(["/x/EVENTS_1.csv", "/x/EVENTS_4.csv"], await PathsAsync($"SELECT DISTINCT _sdc_source_file FROM {schema}.events ORDER BY 1"));
        Assert.Equal(["/x/EVENTS_1.csv", "/x/EVENTS_4.csv"], await PathsAsync($"SELECT path FROM responsys_cluster.file_ledger WHERE connection_id = '{schema}' ORDER BY 1"));
    }

    [Fact]
    public async Task Should_replace_the_rows_of_an_earlier_version_and_skip_a_version_already_in_the_ledger()
    {
        var loader = Loader();
        await loader.LoadBatchAsync([Item("EVENTS_1.csv", "ID\n1\n2\n", 2), Item("EVENTS_2.csv", "ID\n3\n", 1)], CancellationToken.None);

        var results = await loader.LoadBatchAsync([Item("EVENTS_1.csv", "ID\n9\n", 1, minute: 10), Item("EVENTS_2.csv", "ID\n3\n", 1)], CancellationToken.None);

        Assert.Equal((1L, 2L), (results[0].Loaded!.RowsLoaded, results[0].Loaded!.RowsReplaced));
        Assert.True(results[1].Loaded!.AlreadyLoaded);
        Assert.Equal(2, await ScalarAsync($"SELECT count(*) FROM {schema}.events"));
        Assert.Equal(9, await ScalarAsync($"SELECT id FROM {schema}.events WHERE _sdc_source_file = '/x/EVENTS_1.csv'"));
    }

    [Fact]
    public async Task Should_load_a_file_that_brings_a_new_column_on_its_own_after_the_batch_commits()
    {
        var committedAtOpens = new List<long>();
        var results = await Loader().LoadBatchAsync(
            [Item("EVENTS_1.csv", "ID\n1\n", 1, 1), Watching(Item("EVENTS_2.csv", "ID,CITY\n2,Oslo\n", 1, 2), committedAtOpens), Item("EVENTS_3.csv", "ID\n3\n", 1, 3)],
            CancellationToken.None);

        Assert.All(results, r => Assert.Equal(1L, r.Loaded!.RowsLoaded));
        // Opened in the batch (nothing committed yet; opened twice, to sample the new column), left out, then opened
        // again once the other two had committed.
        Assert.Equal(0, committedAtOpens[0]);
        Assert.Equal(2, committedAtOpens[^1]);
        Assert.Equal(1, await ScalarAsync($"SELECT count(*) FROM {schema}.events WHERE city = 'Oslo'"));
        Assert.Equal(3, await ScalarAsync($"SELECT count(*) FROM {schema}.events"));
    }

    private async Task<List<string>> PathsAsync(string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var paths = new List<string>();
        while (await reader.ReadAsync()) paths.Add(reader.GetString(0));
        return paths;
    }
}
