using Npgsql;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Schema;
using ResponsysCluster.TestServers;
using static ResponsysCluster.Postgres.Tests.TestFiles;

namespace ResponsysCluster.Postgres.Tests;

/// <summary>How values land in their columns, and how a column widens when one does not fit.</summary>
[Collection(PostgresCollection.Name)]
public sealed class FileVersionLoaderValueTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private readonly string schema = "fv_" + Guid.NewGuid().ToString("N")[..12];
    private NpgsqlDataSource dataSource = null!;

    public async Task InitializeAsync()
    {
        dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        await ControlTables.EnsureAsync(dataSource, CancellationToken.None);
    }

    public async Task DisposeAsync() => await dataSource.DisposeAsync();

    private Task<FileVersionLoaded> LoadAsync(string csv, params Column[] inferred) =>
        new FileVersionLoader(dataSource, new TargetTables(dataSource, schema, schema), schema, new CsvFormat(',', ExportEncoding.Utf8), NewYork)
            .LoadAsync(Load("LIST", "/x/LIST.csv", csv, T, null, inferred), Content(csv), CancellationToken.None);

    private async Task<string> TypeOfAsync(string column) =>
        (string)(await Sql.ScalarAsync(dataSource, "SELECT data_type FROM information_schema.columns WHERE table_schema = @s AND table_name = 'list' AND column_name = @c",
            ("s", schema), ("c", column)))!;

    private Task<List<object?[]>> RowsAsync(string columns) =>
        Sql.RowsAsync(dataSource, $"SELECT {columns} FROM {schema}.list ORDER BY _sdc_source_lineno");

    [Fact]
    public async Task Should_fill_the_missing_trailing_fields_of_a_short_row_with_nulls()
    {
        await LoadAsync("A,B,C\n1,2,3\n4\n", new Column("A", ColumnType.String), new Column("B", ColumnType.String), new Column("C", ColumnType.String));

        Assert.Equal(new List<object?[]> { new object?[] { "1", "2", "3" }, new object?[] { "4", null, null } }, await RowsAsync("a, b, c"));
    }

    [Fact]
    public async Task Should_load_unnamed_and_repeated_columns_under_generated_names_kept_in_column_names()
    {
        await LoadAsync("EMAIL,,EMAIL\na@x.com,2,b@x.com\n");

        Assert.Equal(new List<object?[]> { new object?[] { "a@x.com", 2L, "b@x.com" } }, await RowsAsync("email, column_2, email_2"));
        var names = await Sql.RowsAsync(dataSource,
            "SELECT responsys_column, target_column FROM responsys_cluster.column_names WHERE connection_id = @c ORDER BY target_column", ("c", schema));
        Assert.Equal(new List<object?[]> { new object?[] { "column_2", "column_2" }, new object?[] { "EMAIL", "email" }, new object?[] { "EMAIL_2", "email_2" } },
            names);
    }

    [Fact]
    public async Task Should_keep_a_negative_integer_in_a_bigint_column()
    {
        var loaded = await LoadAsync("N\n-5\n12\n", new Column("N", ColumnType.Integer));

        Assert.Empty(loaded.ColumnsWidened);
        Assert.Equal("bigint", await TypeOfAsync("n"));
        Assert.Equal([-5L, 12L], (await RowsAsync("n")).Select(r => r[0]));
    }

    [Fact]
    public async Task Should_widen_an_integer_too_large_for_bigint_to_numeric_with_every_digit_kept()
    {
        var loaded = await LoadAsync("N\n1\n99999999999999999999\n", new Column("N", ColumnType.Integer));

        Assert.Equal(["N"], loaded.ColumnsWidened);
        Assert.Equal("numeric", await TypeOfAsync("n"));
        Assert.Equal(["1", "99999999999999999999"], (await RowsAsync("n::text")).Select(r => r[0]));
    }

    [Fact]
    public async Task Should_keep_a_decimal_number_in_a_numeric_column()
    {
        var loaded = await LoadAsync("N\n-1.25\n3\n", new Column("N", ColumnType.Number));

        Assert.Empty(loaded.ColumnsWidened);
        Assert.Equal("numeric", await TypeOfAsync("n"));
        Assert.Equal([-1.25m, 3m], (await RowsAsync("n")).Select(r => r[0]));
    }

    [Theory]
    [InlineData(ColumnType.Integer, "07050")]
    [InlineData(ColumnType.Number, "00.50")]
    public async Task Should_widen_a_numeric_column_to_text_for_a_value_with_a_leading_zero_so_no_digit_is_lost(ColumnType type, string value)
    {
        var loaded = await LoadAsync($"N\n1\n{value}\n", new Column("N", type));

        Assert.Equal(["N"], loaded.ColumnsWidened);
        Assert.Equal("text", await TypeOfAsync("n"));
        Assert.Equal(value, (await RowsAsync("n"))[1][0]);
    }

    [Fact]
    public async Task Should_move_a_wall_clock_time_in_a_daylight_saving_gap_forward_by_the_gap_and_say_so_once()
    {
        // 2018-03-11 02:30 never happened in New York: clocks went from 02:00 EST to 03:00 EDT. PostgreSQL reads it as 03:30 EDT.
        var loaded = await LoadAsync("WHEN\n2018-03-11 01:30:00\n2018-03-11 02:30:00\n2018-03-11 02:45:00\n", new Column("WHEN", ColumnType.DateTime));

        Assert.Empty(loaded.ColumnsWidened);
        Assert.Equal("timestamp with time zone", await TypeOfAsync("when"));
        var asPostgresReadsThem = await Sql.RowsAsync(dataSource, $"""
            SELECT "when" = (('2018-03-11 ' || t) ::timestamp AT TIME ZONE 'America/New_York')
            FROM {schema}.list JOIN (VALUES (2, '01:30:00'), (3, '02:30:00'), (4, '02:45:00')) AS v (line, t) ON v.line = _sdc_source_lineno
            ORDER BY _sdc_source_lineno
            """);
        Assert.Equal([true, true, true], asPostgresReadsThem.Select(r => r[0]));
        Assert.Equal(
            ["2 wall-clock times in a daylight-saving gap of America/New_York moved forward by the gap " +
             "(first: column WHEN, line 3: '2018-03-11 02:30:00' stored as 2018-03-11 07:30:00 UTC)"],
            loaded.Notes);
    }

    [Fact]
    public async Task Should_word_a_single_time_moved_out_of_a_gap_in_the_singular()
    {
        var loaded = await LoadAsync("WHEN\n2018-03-11 02:10:00\n", new Column("WHEN", ColumnType.DateTime));

        Assert.Equal(
            ["1 wall-clock time in a daylight-saving gap of America/New_York moved forward by the gap " +
             "(first: column WHEN, line 2: '2018-03-11 02:10:00' stored as 2018-03-11 07:10:00 UTC)"],
            loaded.Notes);
    }

    [Fact]
    public async Task Should_say_nothing_of_gaps_for_a_file_without_such_times()
    {
        var loaded = await LoadAsync("WHEN\n2018-03-11 01:30:00\n2018-03-11 03:30:00\n", new Column("WHEN", ColumnType.DateTime));

        Assert.Empty(loaded.Notes);
    }

    [Fact]
    public async Task Should_store_the_calendar_ends_as_the_file_holds_them_never_as_infinity()
    {
        var loaded = await new FileVersionLoader(dataSource, new TargetTables(dataSource, schema, schema), schema, new CsvFormat(',', ExportEncoding.Utf8), TimeZoneInfo.Utc)
            .LoadAsync(Load("LIST", "/x/LIST.csv", Edges, T, null, [new Column("WHEN", ColumnType.DateTime)]), Content(Edges), CancellationToken.None);

        Assert.Empty(loaded.ColumnsWidened);
        Assert.Equal([true, true], (await RowsAsync("isfinite(\"when\")")).Select(r => r[0]));
        Assert.Equal(["0001-01-01 00:00:00+00", "9999-12-31 23:59:59.999999+00"],
            (await Sql.RowsAsync(dataSource, $"SELECT to_char(\"when\" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') FROM {schema}.list ORDER BY _sdc_source_lineno"))
            .Select(r => ((string)r[0]!).Replace(".000000", "") + "+00"));
    }

    private const string Edges = "WHEN\n0001-01-01 00:00:00\n9999-12-31 23:59:59.999999\n";

    [Fact]
    public async Task Should_keep_a_fraction_finer_than_microseconds_as_text_with_every_digit()
    {
        var loaded = await LoadAsync("WHEN\n2018-09-11 09:11:02.5\n2018-09-11 09:11:02.123456789\n", new Column("WHEN", ColumnType.DateTime));

        Assert.Equal(["WHEN"], loaded.ColumnsWidened);
        Assert.Equal("text", await TypeOfAsync("when"));
        Assert.Equal("2018-09-11 09:11:02.123456789", (await RowsAsync("\"when\""))[1][0]);
    }

    [Fact]
    public async Task Should_place_a_time_with_an_offset_even_when_its_wall_clock_falls_in_a_gap()
    {
        var loaded = await LoadAsync("WHEN\n2018-03-11T02:30:00Z\n", new Column("WHEN", ColumnType.DateTime));

        Assert.Empty(loaded.ColumnsWidened);
        Assert.Equal([new DateTime(2018, 3, 11, 2, 30, 0, DateTimeKind.Utc)], (await RowsAsync("\"when\"")).Select(r => r[0]));
    }

    [Fact(Timeout = 120_000)]
    public async Task Should_give_up_on_a_file_whose_columns_need_more_than_64_widenings()
    {
        // Each date-time column holding one non-date value needs exactly one widening; 65 columns need 65.
        var names = Enumerable.Range(1, 65).Select(i => $"D{i}").ToArray();
        var csv = string.Join(",", names) + "\n" + string.Join(",", names.Select(_ => "not a date")) + "\n";

        var error = await Assert.ThrowsAsync<ExportFileException>(() => LoadAsync(csv, [.. names.Select(n => new Column(n, ColumnType.DateTime))]));

        Assert.Equal("columns kept needing to widen after 64 attempts", error.Reason);
        Assert.Equal(0L, await Sql.CountAsync(dataSource, $"SELECT count(*) FROM {schema}.list"));
        Assert.Equal(0L, await Sql.CountAsync(dataSource, "SELECT count(*) FROM responsys_cluster.file_ledger WHERE connection_id = @c", ("c", schema)));
    }

    [Fact(Timeout = 120_000)]
    public async Task Should_load_a_file_whose_columns_need_64_widenings()
    {
        var names = Enumerable.Range(1, 64).Select(i => $"D{i}").ToArray();
        var csv = string.Join(",", names) + "\n" + string.Join(",", names.Select(_ => "not a date")) + "\n";

        var loaded = await LoadAsync(csv, [.. names.Select(n => new Column(n, ColumnType.DateTime))]);

        Assert.Equal(64, loaded.ColumnsWidened.Count);
        Assert.Equal(1, loaded.RowsLoaded);
    }
}
