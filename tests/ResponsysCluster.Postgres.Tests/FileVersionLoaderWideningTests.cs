using Npgsql;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Schema;
using ResponsysCluster.TestServers;
using static ResponsysCluster.Postgres.Tests.TestFiles;

namespace ResponsysCluster.Postgres.Tests;

/// <summary>Widening inside the load's transaction, and the types of new header columns inferred from the file itself.</summary>
[Collection(PostgresCollection.Name)]
public sealed class FileVersionLoaderWideningTests(PostgresServer server) : IAsyncLifetime
{
    private readonly string schema = "fw_" + Guid.NewGuid().ToString("N")[..12];
    private NpgsqlDataSource dataSource = null!;

    public async Task InitializeAsync()
    {
        dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        await ControlTables.EnsureAsync(dataSource, CancellationToken.None);
    }

    public async Task DisposeAsync() => await dataSource.DisposeAsync();

    private FileVersionLoader Loader() =>
        new(dataSource, new TargetTables(dataSource, schema, schema), schema, new CsvFormat(',', ExportEncoding.Utf8), TimeZoneInfo.Utc);

    private async Task<string> TypeOfAsync(string column) =>
        (string)(await Sql.ScalarAsync(dataSource, "SELECT data_type FROM information_schema.columns WHERE table_schema = @s AND table_name = 'list' AND column_name = @c",
            ("s", schema), ("c", column)))!;

    private Task<List<object?[]>> HistoryAsync(string change) =>
        Sql.RowsAsync(dataSource, """
            SELECT target_column, old_type, new_type FROM responsys_cluster.schema_history WHERE connection_id = @c AND change = @change ORDER BY id
            """, ("c", schema), ("change", change));

    private static string Rows(string header, int count, Func<int, string> row) =>
        header + "\n" + string.Concat(Enumerable.Range(1, count).Select(i => row(i) + "\n"));

    [Fact(Timeout = 60_000)]
    public async Task Should_widen_a_column_for_the_last_row_without_opening_the_file_again()
    {
        var csv = Rows("ID,AMOUNT", 3000, i => $"{i},{i}") + "3001,n/a\n";
        var file = new CountedOpens(csv);

        var loaded = await Loader().LoadAsync(Load("LIST", "/x/LIST.csv", csv, T, null, new Column("ID", ColumnType.Integer), new Column("AMOUNT", ColumnType.Integer)),
            file.OpenAsync, CancellationToken.None);

        Assert.Equal(1, file.Opens);
        Assert.Equal(3001L, loaded.RowsLoaded);
        Assert.Equal(["AMOUNT"], loaded.ColumnsWidened);
        Assert.Equal("text", await TypeOfAsync("amount"));
        var rows = await Sql.RowsAsync(dataSource, $"SELECT count(*), count(DISTINCT _sdc_source_lineno), min(amount), max(_sdc_source_lineno) FROM {schema}.list WHERE amount <> 'n/a'");
        Assert.Equal([3000L, 3000L, "1", 3001L], rows[0]);
        Assert.Equal(3002L, await Sql.ScalarAsync(dataSource, $"SELECT _sdc_source_lineno FROM {schema}.list WHERE amount = 'n/a'"));
        Assert.Equal(new List<object?[]> { new object?[] { "amount", "bigint", "text" } }, await HistoryAsync("widen column"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_widen_an_integer_column_to_numeric_in_one_pass_keeping_every_earlier_value()
    {
        var csv = "N\n1\n-7\n2.50\n1e3\n";
        var file = new CountedOpens(csv);

        var loaded = await Loader().LoadAsync(Load("LIST", "/x/LIST.csv", csv, T, null, new Column("N", ColumnType.Integer)), file.OpenAsync, CancellationToken.None);

        // 1e3 needs no widening of a numeric column, but a later text widening would render it 1000: none came.
        Assert.Equal(1, file.Opens);
        Assert.Equal(["N"], loaded.ColumnsWidened);
        Assert.Equal("numeric", await TypeOfAsync("n"));
        Assert.Equal(["1", "-7", "2.50", "1000"], (await Sql.RowsAsync(dataSource, $"SELECT n::text FROM {schema}.list ORDER BY _sdc_source_lineno")).Select(r => r[0]));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_widen_to_text_without_reading_the_file_again_writing_values_that_still_read_as_the_old_type_in_one_form()
    {
        const string csv = "N,WHEN\n1e3,10-SEP-2018 19:27:52\nn/a,never\n1e3,2018-09-10 19:27:52\n";
        var file = new CountedOpens(csv);

        var loaded = await Loader().LoadAsync(
            Load("LIST", "/x/LIST.csv", csv, T, null, new Column("N", ColumnType.Number), new Column("WHEN", ColumnType.DateTime)), file.OpenAsync, CancellationToken.None);

        Assert.Equal(1, file.Opens);
        Assert.Equal(["N", "WHEN"], loaded.ColumnsWidened.Order());
        // The row copied before the widening and the one after it hold one source value in one form.
        Assert.Equal(new List<object?[]>
            {
                new object?[] { "1000", "2018-09-10T19:27:52.000000Z" },
                new object?[] { "n/a", "never" },
                new object?[] { "1000", "2018-09-10T19:27:52.000000Z" },
            },
            await Sql.RowsAsync(dataSource, $"SELECT n, \"when\" FROM {schema}.list ORDER BY _sdc_source_lineno"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_store_a_source_value_in_one_form_whichever_file_it_came_from_after_a_widening()
    {
        const string before = "WHEN,N,I\n2018-09-11 09:11:02,1.50,-0\n";
        const string widening = "WHEN,N,I\nnot a date,n/a,x\n";
        const string after = "WHEN,N,I\n2018-09-11 09:11:02,1.50,-0\n";
        Column[] columns = [new("WHEN", ColumnType.DateTime), new("N", ColumnType.Number), new("I", ColumnType.Integer)];
        await Loader().LoadAsync(Load("LIST", "/x/a.csv", before, T, null, columns), Content(before), CancellationToken.None);
        await Loader().LoadAsync(Load("LIST", "/x/b.csv", widening, T, null, columns), Content(widening), CancellationToken.None);
        await Loader().LoadAsync(Load("LIST", "/x/c.csv", after, T, null, columns), Content(after), CancellationToken.None);

        var rows = await Sql.RowsAsync(dataSource, $"SELECT _sdc_source_file, \"when\", n, i FROM {schema}.list ORDER BY _sdc_source_file");
        Assert.Equal(new List<object?[]>
            {
                new object?[] { "/x/a.csv", "2018-09-11T09:11:02.000000Z", "1.50", "0" },
                new object?[] { "/x/b.csv", "not a date", "n/a", "x" },
                new object?[] { "/x/c.csv", "2018-09-11T09:11:02.000000Z", "1.50", "0" },
            },
            rows);
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_widen_every_column_a_record_refuses_together_without_reading_the_file_again()
    {
        var csv = Rows("A,B,C", 100, i => $"{i},{i},{i}") + "x,1.5,7\n";
        var file = new CountedOpens(csv);

        var loaded = await Loader().LoadAsync(
            Load("LIST", "/x/LIST.csv", csv, T, null, new Column("A", ColumnType.Integer), new Column("B", ColumnType.Integer), new Column("C", ColumnType.Integer)),
            file.OpenAsync, CancellationToken.None);

        Assert.Equal(1, file.Opens);
        Assert.Equal(["A", "B"], loaded.ColumnsWidened);
        Assert.Equal(["text", "numeric", "bigint"], [await TypeOfAsync("a"), await TypeOfAsync("b"), await TypeOfAsync("c")]);
        Assert.Equal(new List<object?[]> { new object?[] { "a", "bigint", "text" }, new object?[] { "b", "bigint", "numeric" } }, await HistoryAsync("widen column"));
        Assert.Equal(101L, await Sql.CountAsync(dataSource, $"SELECT count(DISTINCT _sdc_source_lineno) FROM {schema}.list"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_leave_no_widening_behind_when_the_file_fails_after_it()
    {
        const string csv = "N\n1\nn/a\n";

        await Assert.ThrowsAsync<ExportFileException>(() =>
            Loader().LoadAsync(Load("LIST", "/x/LIST.csv", csv, T, expected: 7, new Column("N", ColumnType.Integer)), Content(csv), CancellationToken.None));

        Assert.Equal("bigint", await TypeOfAsync("n"));
        Assert.Empty(await HistoryAsync("widen column"));
        Assert.Equal(0L, await Sql.CountAsync(dataSource, $"SELECT count(*) FROM {schema}.list"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_refuse_to_retry_a_widening_that_would_not_change_the_type_naming_file_line_column_and_value()
    {
        using var reader = ExportRecordReader.Open(new MemoryStream("ID,NAME\n1,\"two\nlines\"\n"u8.ToArray()), "/x/LIST.csv", new CsvFormat(',', ExportEncoding.Utf8));
        Assert.True(reader.Read());

        var error = Assert.Throws<ExportFileException>(() => FileVersionLoader.NeededType(reader, "/x/LIST.csv", ColumnType.String, 1, TimeZoneInfo.Utc));

        Assert.Equal(("/x/LIST.csv", 2L, 2L), (error.FilePath, error.Line, error.Record));
        Assert.Equal("column NAME: value 'two\nlines' was refused by its text column, yet needs no wider type", error.Reason);
    }

    [Theory]
    [InlineData(100, false)]
    [InlineData(101, true)]
    public void Should_show_at_most_100_characters_of_a_refused_value_that_needs_no_wider_type(int length, bool cut)
    {
        var value = string.Concat(Enumerable.Range(0, length).Select(i => (char)('a' + i % 26)));
        using var reader = ExportRecordReader.Open(new MemoryStream(System.Text.Encoding.UTF8.GetBytes("NAME\n" + value + "\n")), "/x/LIST.csv",
            new CsvFormat(',', ExportEncoding.Utf8));
        Assert.True(reader.Read());

        var error = Assert.Throws<ExportFileException>(() => FileVersionLoader.NeededType(reader, "/x/LIST.csv", ColumnType.String, 0, TimeZoneInfo.Utc));

        var shown = cut ? value[..100] + "…" : value;
        Assert.Equal($"column NAME: value '{shown}' was refused by its text column, yet needs no wider type", error.Reason);
    }

    [Theory]
    [InlineData(ColumnType.Integer, "2.5", ColumnType.Number)]
    [InlineData(ColumnType.Integer, "07050", ColumnType.String)]
    [InlineData(ColumnType.Number, "n/a", ColumnType.String)]
    // A fraction finer than PostgreSQL's microseconds cannot be held: text.
    [InlineData(ColumnType.DateTime, "2018-03-11 02:30:00.1234567", ColumnType.String)]
    public void Should_name_the_type_a_refused_value_needs(ColumnType current, string value, ColumnType needed)
    {
        using var reader = ExportRecordReader.Open(new MemoryStream(System.Text.Encoding.UTF8.GetBytes("V\n" + value + "\n")), "/x/LIST.csv",
            new CsvFormat(',', ExportEncoding.Utf8));
        Assert.True(reader.Read());

        Assert.Equal(needed, FileVersionLoader.NeededType(reader, "/x/LIST.csv", current, 0, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_infer_the_types_of_header_columns_the_table_lacks_from_the_files_first_rows()
    {
        const string v1 = "ID\n1\n";
        const string v2 = "ID,AMOUNT,WHEN,NAME\n2,1.5,2018-09-11 09:11:02,Ann\n3,,2018-09-12 00:00:00,Bob\n";
        await Loader().LoadAsync(Load("LIST", "/x/a.csv", v1, T, null, new Column("ID", ColumnType.Integer)), Content(v1), CancellationToken.None);
        var file = new CountedOpens(v2);

        var loaded = await Loader().LoadAsync(Load("LIST", "/x/b.csv", v2, T), file.OpenAsync, CancellationToken.None);

        Assert.Equal(2, file.Opens);
        Assert.Empty(loaded.ColumnsWidened);
        Assert.Equal(["bigint", "numeric", "timestamp with time zone", "text"],
            [await TypeOfAsync("id"), await TypeOfAsync("amount"), await TypeOfAsync("when"), await TypeOfAsync("name")]);
        Assert.Equal(new List<object?[]> { new object?[] { "amount", null, "numeric" }, new object?[] { "when", null, "timestamptz" }, new object?[] { "name", null, "text" } },
            (await HistoryAsync("add column")).Skip(1).ToList());
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_infer_new_columns_from_only_as_many_records_as_the_sample_size_says()
    {
        var csv = Rows("SCORE", 5, i => i.ToString()) + "high\n";
        var file = new CountedOpens(csv);

        var loaded = await Loader().LoadAsync(Load("LIST", "/x/LIST.csv", csv, T), file.OpenAsync, CancellationToken.None, sampleRows: 5);

        // Five integers sampled; the sixth record, not sampled, widens the column in the load.
        Assert.Equal(["SCORE"], loaded.ColumnsWidened);
        Assert.Equal(new List<object?[]> { new object?[] { "score", null, "bigint" } }, await HistoryAsync("add column"));
        Assert.Equal("text", await TypeOfAsync("score"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_open_the_file_once_when_the_table_has_every_header_column()
    {
        const string v1 = "ID,NAME\n1,Ann\n";
        const string v2 = "NAME,ID\nBob,2\n";
        await Loader().LoadAsync(Load("LIST", "/x/a.csv", v1, T), Content(v1), CancellationToken.None);
        var file = new CountedOpens(v2);

        await Loader().LoadAsync(Load("LIST", "/x/b.csv", v2, T), file.OpenAsync, CancellationToken.None);

        Assert.Equal(1, file.Opens);
        Assert.Equal(["Ann", "Bob"], (await Sql.RowsAsync(dataSource, $"SELECT name FROM {schema}.list ORDER BY id")).Select(r => r[0]));
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_not_open_a_version_already_in_the_ledger()
    {
        const string csv = "ID\n1\n";
        await Loader().LoadAsync(Load("LIST", "/x/a.csv", csv, T), Content(csv), CancellationToken.None);
        var file = new CountedOpens(csv);

        var again = await Loader().LoadAsync(Load("LIST", "/x/a.csv", csv, T), file.OpenAsync, CancellationToken.None);

        Assert.True(again.AlreadyLoaded);
        Assert.Equal(0, file.Opens);
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_give_every_row_of_a_file_one_extraction_and_batch_time()
    {
        var csv = Ids(20_000);

        await Loader().LoadAsync(Load("LIST", "/x/LIST.csv", csv, T), Content(csv), CancellationToken.None);

        var times = (await Sql.RowsAsync(dataSource, $"SELECT count(DISTINCT _sdc_batched_at), count(DISTINCT _sdc_extracted_at), count(*) FROM {schema}.list"))[0];
        Assert.Equal([1L, 1L, 20_000L], times);
    }
}
