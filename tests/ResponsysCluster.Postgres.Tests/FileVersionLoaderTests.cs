using Npgsql;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Schema;
using ResponsysCluster.TestServers;
using static ResponsysCluster.Postgres.Tests.TestFiles;

namespace ResponsysCluster.Postgres.Tests;

[Collection(PostgresCollection.Name)]
public sealed class FileVersionLoaderTests(PostgresServer server) : IAsyncLifetime
{
    private readonly string schema = "t_" + Guid.NewGuid().ToString("N")[..12];
    private NpgsqlDataSource dataSource = null!;

    public async Task InitializeAsync()
    {
        dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        await ControlTables.EnsureAsync(dataSource, CancellationToken.None);
    }

    public async Task DisposeAsync() => await dataSource.DisposeAsync();

    private FileVersionLoader Loader(TimeZoneInfo? zone = null) =>
        new(dataSource, new TargetTables(dataSource, schema, schema), schema, new CsvFormat(',', ExportEncoding.Utf8), zone ?? TimeZoneInfo.Utc);

    private Task<List<object?[]>> RowsAsync(string sql) => Sql.RowsAsync(dataSource, sql);

    [Fact]
    public async Task Should_create_the_table_with_typed_columns_and_load_every_row_once()
    {
        const string csv = "RIID_,EMAIL,LTV,CREATED,POSTAL\n1,a@x.com,1.50,2018-09-11 09:11:02,07050\n2,b@x.com,,10-SEP-2018 19:27:52,10001\n";
        var load = Load("CONTACT_LIST", "/x/20180911_CONTACT_LIST.csv", csv, T, 2,
            new Column("RIID_", ColumnType.Integer), new Column("LTV", ColumnType.Number), new Column("CREATED", ColumnType.DateTime));

        var first = await Loader().LoadAsync(load, Content(csv), CancellationToken.None);
        Assert.False(first.AlreadyLoaded);
        Assert.Equal(2, first.RowsLoaded);

        var rows = await RowsAsync($"SELECT riid_, email, ltv, created, postal, _sdc_source_file, _sdc_source_lineno, _sdc_extra FROM {schema}.contact_list ORDER BY riid_");
        Assert.Equal([1L, "a@x.com", 1.50m, new DateTime(2018, 9, 11, 9, 11, 2, DateTimeKind.Utc), "07050", "/x/20180911_CONTACT_LIST.csv", 2L, null], rows[0]);
        Assert.Null(rows[1][2]);
        Assert.Equal(new DateTime(2018, 9, 10, 19, 27, 52, DateTimeKind.Utc), rows[1][3]);

        var types = await RowsAsync($"SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = '{schema}' AND table_name = 'contact_list' ORDER BY column_name");
        var byName = types.ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.Equal("bigint", byName["riid_"]);
        Assert.Equal("numeric", byName["ltv"]);
        Assert.Equal("timestamp with time zone", byName["created"]);
        Assert.Equal("text", byName["postal"]);
        Assert.Equal("jsonb", byName["_sdc_extra"]);

        var again = await Loader().LoadAsync(load, Content(csv), CancellationToken.None);
        Assert.True(again.AlreadyLoaded);
        Assert.Equal(2L, (await RowsAsync($"SELECT count(*) FROM {schema}.contact_list"))[0][0]);
    }

    [Fact]
    public async Task Should_load_only_the_selected_columns_and_keep_unselected_ones_out_of_the_table_and_the_extra_fields()
    {
        const string csv = "RIID_,EMAIL_ADDRESS_,PHONE,CITY\n1,a@x.com,555-1,Paris\n2,b@x.com,555-2,Oslo,surplus\n";
        var load = Load("CONTACT_LIST", "/x/20180911_CONTACT_LIST.csv", csv, T, 2, new Column("RIID_", ColumnType.Integer))
            with { SelectedColumns = ["RIID_", "CITY"] };

        var loaded = await Loader().LoadAsync(load, Content(csv), CancellationToken.None);

        Assert.Equal(2, loaded.RowsLoaded);
        var columns = await RowsAsync($"SELECT column_name FROM information_schema.columns WHERE table_schema = '{schema}' AND table_name = 'contact_list' AND column_name NOT LIKE '\\_sdc\\_%' ORDER BY ordinal_position");
        Assert.Equal(["riid_", "city"], columns.Select(c => (string)c[0]!));
        var rows = await RowsAsync($"SELECT riid_, city, _sdc_extra::text, _sdc_source_lineno FROM {schema}.contact_list ORDER BY riid_");
        Assert.Equal([1L, "Paris", null, 2L], rows[0]);
        Assert.Equal([2L, "Oslo", "[\"surplus\"]", 3L], rows[1]);
    }

    [Fact]
    public async Task Should_replace_the_rows_of_an_earlier_version_of_the_same_path()
    {
        const string v1 = "ID\n1\n2\n3\n";
        const string v2 = "ID\n10\n20\n";
        await Loader().LoadAsync(Load("LIST", "/x/LIST.csv", v1, T), Content(v1), CancellationToken.None);
        await Loader().LoadAsync(Load("LIST", "/x/OTHER_DAY_LIST.csv", v1, T), Content(v1), CancellationToken.None);
        var second = await Loader().LoadAsync(Load("LIST", "/x/LIST.csv", v2, T.AddHours(1)), Content(v2), CancellationToken.None);

        Assert.Equal(2, second.RowsLoaded);
        Assert.Equal(3, second.RowsReplaced);
        var ids = (await RowsAsync($"SELECT id::text FROM {schema}.list WHERE _sdc_source_file = '/x/LIST.csv' ORDER BY id")).Select(r => r[0]);
        Assert.Equal(["10", "20"], ids);
        Assert.Equal(5L, (await RowsAsync($"SELECT count(*) FROM {schema}.list"))[0][0]);
        Assert.Equal(2L, (await RowsAsync($"SELECT count(*) FROM responsys_cluster.file_ledger WHERE connection_id = '{schema}' AND path = '/x/LIST.csv'"))[0][0]);
    }

    [Fact]
    public async Task Should_roll_back_a_record_count_mismatch_and_leave_no_rows_nor_ledger_entry()
    {
        const string csv = "ID\n1\n2\n";
        var error = await Assert.ThrowsAsync<ExportFileException>(() =>
            Loader().LoadAsync(Load("LIST", "/x/LIST.csv", csv, T, expected: 5), Content(csv), CancellationToken.None));
        Assert.Contains("says 5", error.Reason);
        Assert.Contains("holds 2", error.Reason);
        Assert.Equal(0L, (await RowsAsync($"SELECT count(*) FROM {schema}.list"))[0][0]);
        Assert.Equal(0L, (await RowsAsync($"SELECT count(*) FROM responsys_cluster.file_ledger WHERE connection_id = '{schema}'"))[0][0]);
    }

    [Fact]
    public async Task Should_leave_no_partial_rows_when_a_file_is_malformed()
    {
        const string csv = "ID,NAME\n1,a\n2,b\n3,\"unclosed\n";
        var error = await Assert.ThrowsAsync<ExportFileException>(() =>
            Loader().LoadAsync(Load("LIST", "/x/LIST.csv", csv, T, null, new Column("ID", ColumnType.String), new Column("NAME", ColumnType.String)),
                Content(csv), CancellationToken.None));
        Assert.Equal(4, error.Line);
        Assert.Equal(0L, (await RowsAsync($"SELECT count(*) FROM {schema}.list"))[0][0]);
    }

    [Fact]
    public async Task Should_widen_a_column_instead_of_failing_and_record_why()
    {
        const string csv = "AMOUNT,WHEN\n1,2018-09-11 09:11:02\n2.5,2018-09-12 00:00:00\nn/a,not a date\n";
        var loaded = await Loader().LoadAsync(
            Load("LIST", "/x/LIST.csv", csv, T, null, new Column("AMOUNT", ColumnType.Integer), new Column("WHEN", ColumnType.DateTime)),
            Content(csv), CancellationToken.None);

        Assert.Equal(3, loaded.RowsLoaded);
        Assert.Equal(["AMOUNT", "AMOUNT", "WHEN"], loaded.ColumnsWidened.Order());
        var values = (await RowsAsync($"SELECT amount, \"when\" FROM {schema}.list ORDER BY _sdc_source_lineno")).Select(r => $"{r[0]}|{r[1]}");
        Assert.Equal(["1|2018-09-11T09:11:02.000000Z", "2.5|2018-09-12T00:00:00.000000Z", "n/a|not a date"], values);
        var history = await RowsAsync($"SELECT target_column, old_type, new_type FROM responsys_cluster.schema_history WHERE connection_id = '{schema}' AND change = 'widen column' ORDER BY id");
        Assert.Equal(["amount:bigint>numeric", "amount:numeric>text", "when:timestamptz>text"], history.Select(r => $"{r[0]}:{r[1]}>{r[2]}"));
    }

    [Fact]
    public async Task Should_add_columns_a_later_file_brings_and_fold_names_safely()
    {
        const string v1 = "ID\n1\n";
        const string v2 = "ID,\"First Name\",\"x\"\";drop\"\n2,Ann,y,extra1,extra2\n";
        await Loader().LoadAsync(Load("1234_CLICK", "/x/a.txt", v1, T), Content(v1), CancellationToken.None);
        await Loader().LoadAsync(Load("1234_CLICK", "/x/b.txt", v2, T), Content(v2), CancellationToken.None);

        var rows = await RowsAsync($"SELECT id::text, first_name, x__drop, _sdc_extra::text FROM {schema}._1234_click ORDER BY _sdc_source_file");
        Assert.Equal(["1", null, null, null], rows[0]);
        Assert.Equal(["2", "Ann", "y", "[\"extra1\", \"extra2\"]"], rows[1]);
        var comment = await RowsAsync($"SELECT obj_description('{schema}._1234_click'::regclass)");
        Assert.Equal("Responsys table 1234_CLICK", comment[0][0]);
    }

    [Fact]
    public async Task Should_read_wall_clock_times_in_the_connections_time_zone()
    {
        const string csv = "WHEN,WITH_OFFSET\n2018-09-11 09:00:00,2018-09-11T09:00:00Z\n";
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        await Loader(zone).LoadAsync(
            Load("LIST", "/x/LIST.csv", csv, T, null, new Column("WHEN", ColumnType.DateTime), new Column("WITH_OFFSET", ColumnType.DateTime)),
            Content(csv), CancellationToken.None);
        var row = (await RowsAsync($"SELECT \"when\", with_offset FROM {schema}.list"))[0];
        Assert.Equal(new DateTime(2018, 9, 11, 13, 0, 0, DateTimeKind.Utc), row[0]);
        Assert.Equal(new DateTime(2018, 9, 11, 9, 0, 0, DateTimeKind.Utc), row[1]);
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_fail_with_the_error_of_the_second_open_for_sampling_and_close_the_file_already_open()
    {
        // Columns no inferred type and no table gives: the loader opens the file again to sample them, and that fails.
        const string csv = "ID,NAME\n1,a\n";
        var first = new DisposeTrackingStream(System.Text.Encoding.UTF8.GetBytes(csv));
        var opens = 0;
        Task<Stream> Open(CancellationToken _) => ++opens == 1 ? Task.FromResult<Stream>(first) : throw new IOException("the server closed the file");

        var error = await Assert.ThrowsAsync<IOException>(() => Loader().LoadAsync(Load("LIST", "/x/LIST.csv", csv, T), Open, CancellationToken.None));

        Assert.Equal(("the server closed the file", 2, true), (error.Message, opens, first.Disposed));
        Assert.Equal(0L, await Sql.CountAsync(dataSource, "SELECT count(*) FROM responsys_cluster.file_ledger WHERE connection_id = @c", ("c", schema)));
    }

    private sealed class DisposeTrackingStream(byte[] content) : MemoryStream(content)
    {
        public bool Disposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
