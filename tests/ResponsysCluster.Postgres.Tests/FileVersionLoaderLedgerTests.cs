using Npgsql;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Schema;
using ResponsysCluster.TestServers;
using static ResponsysCluster.Postgres.Tests.TestFiles;

namespace ResponsysCluster.Postgres.Tests;

/// <summary>Exactly once per file version: the ledger, the replacement of an earlier version, the count check.</summary>
[Collection(PostgresCollection.Name)]
public sealed class FileVersionLoaderLedgerTests(PostgresServer server) : IAsyncLifetime
{
    private readonly string schema = "fl_" + Guid.NewGuid().ToString("N")[..12];
    private NpgsqlDataSource dataSource = null!;

    public async Task InitializeAsync()
    {
        // Named after the test's schema, so its sessions can be told apart from other tests' in pg_stat_activity.
        dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(server.ConnectionString) { ApplicationName = schema }.ConnectionString);
        await ControlTables.EnsureAsync(dataSource, CancellationToken.None);
    }

    public async Task DisposeAsync() => await dataSource.DisposeAsync();

    private FileVersionLoader Loader(string? loadedBy = null) =>
        new(dataSource, new TargetTables(dataSource, schema, schema), schema, new CsvFormat(',', ExportEncoding.Utf8), TimeZoneInfo.Utc, loadedBy);

    private Task<FileVersionLoaded> LoadAsync(FileVersionLoad load, string csv, Action<long>? rowsCopied = null, CancellationToken cancellationToken = default) =>
        Loader().LoadAsync(load, Content(csv), cancellationToken, rowsCopied);

    private Task<long> CountAsync(string sql) => Sql.CountAsync(dataSource, sql, ("c", schema));

    private async Task<string[]> IdsAsync(string path) =>
        (await Sql.RowsAsync(dataSource, $"SELECT id::text FROM {schema}.list WHERE _sdc_source_file = @p ORDER BY _sdc_source_lineno", ("p", path)))
        .Select(r => (string)r[0]!).ToArray();

    private Task<List<object?[]>> LedgerAsync() =>
        Sql.RowsAsync(dataSource, """
            SELECT responsys_table, path, modified, size, rows_loaded, rows_replaced FROM responsys_cluster.file_ledger
            WHERE connection_id = @c ORDER BY modified, path
            """, ("c", schema));

    [Fact]
    public async Task Should_acknowledge_a_version_already_in_the_ledger_without_loading_it_again()
    {
        const string loaded = "ID\n1\n2\n";
        const string changedSinceWithSameKey = "ID\n7\n8\n9\n";
        await LoadAsync(Load("LIST", "/x/LIST.csv", loaded, T), loaded);

        // Same path, mtime and size: the ledger says it is done, so neither the rows nor the (now wrong) count are looked at.
        var again = await LoadAsync(Load("LIST", "/x/LIST.csv", loaded, T, expected: 3), changedSinceWithSameKey);

        Assert.True(again.AlreadyLoaded);
        Assert.Equal((2L, 0L), (again.RowsLoaded, again.RowsReplaced));
        Assert.Equal(["1", "2"], await IdsAsync("/x/LIST.csv"));
        Assert.Single(await LedgerAsync());
    }

    [Fact]
    public async Task Should_stamp_every_row_of_a_load_with_one_extraction_and_batch_time_of_the_load()
    {
        const string csv = "ID\n1\n2\n3\n";
        var before = DateTime.UtcNow.AddSeconds(-1);
        await LoadAsync(Load("LIST", "/x/LIST.csv", csv, T), csv);
        var after = DateTime.UtcNow.AddSeconds(1);

        var times = await Sql.RowsAsync(dataSource, $"SELECT DISTINCT _sdc_extracted_at, _sdc_batched_at FROM {schema}.list");
        var (extracted, batched) = ((DateTime)Assert.Single(times)[0]!, (DateTime)times[0][1]!);
        Assert.Equal(extracted, batched);
        Assert.InRange(extracted, before, after);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task Should_refuse_a_sample_of_no_rows(int sampleRows)
    {
        const string csv = "ID\n1\n";
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            Loader().LoadAsync(Load("LIST", "/x/LIST.csv", csv, T), Content(csv), CancellationToken.None, sampleRows: sampleRows));
        Assert.Empty(await LedgerAsync());
    }

    [Fact]
    public async Task Should_name_the_loader_in_each_ledger_row_it_writes()
    {
        const string csv = "ID\n1\n";
        await Loader(loadedBy: "node-b").LoadAsync(Load("LIST", "/x/B.csv", csv, T), Content(csv), CancellationToken.None);
        await Loader(loadedBy: "node-c").LoadAsync(Load("LIST", "/x/C.csv", csv, T), Content(csv), CancellationToken.None);

        Assert.Equal(new List<object?[]> { new object?[] { "/x/B.csv", "node-b" }, new object?[] { "/x/C.csv", "node-c" } },
            await Sql.RowsAsync(dataSource, "SELECT path, loaded_by FROM responsys_cluster.file_ledger WHERE connection_id = @c ORDER BY path", ("c", schema)));
    }

    [Fact]
    public async Task Should_write_one_ledger_row_per_version_with_its_rows_loaded_and_replaced()
    {
        const string v1 = "ID\n1\n2\n3\n";
        const string v2 = "ID\n10\n20\n";
        await LoadAsync(Load("LIST", "/x/LIST.csv", v1, T), v1);
        await LoadAsync(Load("LIST", "/x/LIST.csv", v2, T.AddHours(1)), v2);

        Assert.Equal(new List<object?[]>
        {
            new object?[] { "LIST", "/x/LIST.csv", T.UtcDateTime, 9L, 3L, 0L },
            new object?[] { "LIST", "/x/LIST.csv", T.AddHours(1).UtcDateTime, 9L, 2L, 3L },
        }, await LedgerAsync());
    }

    [Fact]
    public async Task Should_load_a_version_with_the_same_mtime_but_another_size_as_a_new_version()
    {
        const string v1 = "ID\n1\n";
        const string v2 = "ID\n1\n2\n";
        await LoadAsync(Load("LIST", "/x/LIST.csv", v1, T), v1);

        var second = await LoadAsync(Load("LIST", "/x/LIST.csv", v2, T), v2);

        Assert.False(second.AlreadyLoaded);
        Assert.Equal((2L, 1L), (second.RowsLoaded, second.RowsReplaced));
        Assert.Equal(["1", "2"], await IdsAsync("/x/LIST.csv"));
    }

    [Fact]
    public async Task Should_hold_each_source_record_once_after_a_path_is_loaded_in_several_versions()
    {
        var v1 = Ids(300);
        var v2 = Ids(250);
        await LoadAsync(Load("LIST", "/x/LIST.csv", v1, T), v1);
        await LoadAsync(Load("LIST", "/x/OTHER_LIST.csv", v1, T), v1);
        await LoadAsync(Load("LIST", "/x/LIST.csv", v2, T.AddHours(1)), v2);
        await LoadAsync(Load("LIST", "/x/LIST.csv", v2, T.AddHours(1)), v2);

        var counts = (await Sql.RowsAsync(dataSource, $"SELECT count(*), count(DISTINCT (_sdc_source_file, _sdc_source_lineno)) FROM {schema}.list"))[0];
        Assert.Equal(550L, counts[0]);
        Assert.Equal(counts[0], counts[1]);
    }

    [Fact]
    public async Task Should_replace_a_re_exported_file_in_a_table_created_with_the_primary_key_of_earlier_versions()
    {
        // Tables created before the key was dropped keep it: loads into them go on as before.
        await new TargetTables(dataSource, schema, schema).EnsureAsync("LIST", [new Column("ID", ColumnType.String)], CancellationToken.None);
        await Sql.ScalarAsync(dataSource, $"DROP INDEX {schema}.list__sdc_source_file_idx; ALTER TABLE {schema}.list ADD PRIMARY KEY (_sdc_source_file, _sdc_source_lineno)");
        const string v1 = "ID\n1\n2\n3\n";
        const string v2 = "ID\n10\n20\n";
        await LoadAsync(Load("LIST", "/x/LIST.csv", v1, T), v1);
        await LoadAsync(Load("LIST", "/x/OTHER_LIST.csv", v1, T), v1);

        var second = await LoadAsync(Load("LIST", "/x/LIST.csv", v2, T.AddHours(1)), v2);

        Assert.Equal((2L, 3L), (second.RowsLoaded, second.RowsReplaced));
        Assert.Equal(["10", "20"], await IdsAsync("/x/LIST.csv"));
        Assert.Equal(["1", "2", "3"], await IdsAsync("/x/OTHER_LIST.csv"));
        Assert.Equal("list_pkey", await Sql.ScalarAsync(dataSource, "SELECT conname FROM pg_constraint WHERE conrelid = @t::regclass AND contype = 'p'", ("t", schema + ".list")));
    }

    [Fact]
    public async Task Should_delete_nothing_for_a_path_the_ledger_has_no_version_of()
    {
        // Rows of a path are only ever committed with its ledger row, so a path new to the ledger has no rows to
        // delete: a row put there by hand shows that the delete was not run.
        const string csv = "ID\n1\n";
        await LoadAsync(Load("LIST", "/x/OTHER_LIST.csv", csv, T), csv);
        await Sql.ScalarAsync(dataSource,
            $"INSERT INTO {schema}.list (id, _sdc_source_file, _sdc_source_lineno, _sdc_extracted_at, _sdc_batched_at) VALUES (7, '/x/LIST.csv', 2, now(), now())");

        var loaded = await LoadAsync(Load("LIST", "/x/LIST.csv", csv, T), csv);

        Assert.Equal(0, loaded.RowsReplaced);
        Assert.Equal(["1", "7"], (await IdsAsync("/x/LIST.csv")).Order());
    }

    [Fact]
    public async Task Should_accept_a_record_count_that_includes_the_header_row()
    {
        const string csv = "ID\n1\n2\n";

        var loaded = await LoadAsync(Load("LIST", "/x/LIST.csv", csv, T, expected: 3), csv);

        Assert.Equal(2, loaded.RowsLoaded);
        Assert.Equal(["1", "2"], await IdsAsync("/x/LIST.csv"));
    }

    [Fact]
    public async Task Should_fail_a_record_count_one_below_the_records_read()
    {
        const string csv = "ID\n1\n2\n";

        var error = await Assert.ThrowsAsync<ExportFileException>(() => LoadAsync(Load("LIST", "/x/LIST.csv", csv, T, expected: 1), csv));

        Assert.Equal("record count mismatch: the ready file says 1, the file holds 2 records (the export is incomplete or was replaced)", error.Reason);
        Assert.Equal("/x/LIST.csv", error.FilePath);
        Assert.Empty(await IdsAsync("/x/LIST.csv"));
        Assert.Empty(await LedgerAsync());
    }

    [Fact]
    public async Task Should_keep_the_earlier_versions_rows_when_the_new_version_fails_its_count()
    {
        const string v1 = "ID\n1\n2\n3\n";
        const string v2 = "ID\n10\n20\n";
        await LoadAsync(Load("LIST", "/x/LIST.csv", v1, T), v1);

        await Assert.ThrowsAsync<ExportFileException>(() => LoadAsync(Load("LIST", "/x/LIST.csv", v2, T.AddHours(1), expected: 5), v2));

        Assert.Equal(["1", "2", "3"], await IdsAsync("/x/LIST.csv"));
        Assert.Equal([T.UtcDateTime], (await LedgerAsync()).Select(r => r[2]));
    }

    [Fact]
    public async Task Should_report_the_rows_copied_every_50000_rows()
    {
        var csv = Ids(120_001);
        var reported = new List<long>();

        var loaded = await LoadAsync(Load("LIST", "/x/LIST.csv", csv, T), csv, reported.Add);

        Assert.Equal([50_000L, 100_000L], reported);
        Assert.Equal(120_001, loaded.RowsLoaded);
    }

    [Fact]
    public async Task Should_roll_back_a_load_cancelled_mid_copy()
    {
        var csv = Ids(60_000);
        using var cancellation = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            LoadAsync(Load("LIST", "/x/LIST.csv", csv, T), csv, _ => cancellation.Cancel(), cancellation.Token));

        Assert.Equal(0L, await CountAsync($"SELECT count(*) FROM {schema}.list"));
        Assert.Empty(await LedgerAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_stop_reading_the_file_soon_after_the_load_is_cancelled()
    {
        var csv = Ids(400_000);
        var bytes = System.Text.Encoding.UTF8.GetBytes(csv);
        var stream = new CountingStream(bytes);
        using var cancellation = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Loader().LoadAsync(Load("LIST", "/x/LIST.csv", csv, T), _ => Task.FromResult<Stream>(stream), cancellation.Token, _ => cancellation.Cancel()));

        Assert.InRange(stream.BytesRead, 1, bytes.Length / 2);
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_load_two_versions_of_one_path_one_after_the_other_when_they_arrive_at_once()
    {
        var v1 = Ids(5_000);
        var v2 = Ids(4_000);
        var slow = new GatedStream(System.Text.Encoding.UTF8.GetBytes(v1), head: 2_000);
        // Typed, so that the file is opened once (no sample): the gate then holds the COPY itself.
        var first = Task.Run(() => Loader().LoadAsync(Load("LIST", "/x/LIST.csv", v1, T, null, new Column("ID", ColumnType.String)),
            _ => Task.FromResult<Stream>(slow), CancellationToken.None));
        await slow.ReachedGate.WaitAsync(TimeSpan.FromSeconds(30));

        var second = Task.Run(() => LoadAsync(Load("LIST", "/x/LIST.csv", v2, T.AddHours(1)), v2));
        await WaitUntilAsync(async () => await Sql.CountAsync(dataSource,
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = @c AND wait_event_type = 'Lock' AND wait_event = 'advisory'", ("c", schema)) == 1);
        Assert.False(second.IsCompleted);
        slow.Open();

        Assert.Equal((5_000L, 0L), ((await first).RowsLoaded, (await first).RowsReplaced));
        Assert.Equal((4_000L, 5_000L), ((await second).RowsLoaded, (await second).RowsReplaced));
        var counts = (await Sql.RowsAsync(dataSource, $"SELECT count(*), count(DISTINCT (_sdc_source_file, _sdc_source_lineno)), max(id::int) FROM {schema}.list"))[0];
        Assert.Equal([4_000L, 4_000L, 4_000], counts);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met within 30 s");
            await Task.Delay(20);
        }
    }
}
