using Npgsql;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Schema;
using ResponsysCluster.TestServers;
using static ResponsysCluster.Postgres.Tests.TestFiles;

namespace ResponsysCluster.Postgres.Tests;

/// <summary>
/// Responsys profile extension tables can be wider than a PostgreSQL row: 1,500 integer columns overflow its 8 KB
/// page, 1,700 columns its 1,600-column limit. They still load, with the columns a row cannot hold in <c>_sdc_overflow</c>.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class WideTableTests(PostgresServer server) : IAsyncLifetime
{
    private readonly string schema = "wide_" + Guid.NewGuid().ToString("N")[..12];
    private NpgsqlDataSource dataSource = null!;

    public async Task InitializeAsync()
    {
        dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        await ControlTables.EnsureAsync(dataSource, CancellationToken.None);
    }

    public async Task DisposeAsync() => await dataSource.DisposeAsync();

    private Task<FileVersionLoaded> LoadAsync(string path, string csv, params Column[] inferred) =>
        new FileVersionLoader(dataSource, new TargetTables(dataSource, schema, schema), schema, new CsvFormat(',', ExportEncoding.Utf8), TimeZoneInfo.Utc)
            .LoadAsync(Load("WIDE", path, csv, T, null, inferred), Content(csv), CancellationToken.None);

    // Every value large enough to be 8 bytes as bigint: 1,500 of them make a 12,000-byte row.
    private static string Csv(int columns, params int[] rows) =>
        string.Join(",", Enumerable.Range(1, columns).Select(c => $"C{c}")) + "\n" +
        string.Concat(rows.Select(r => string.Join(",", Enumerable.Range(1, columns).Select(c => (r * 1_000_000L + c).ToString())) + "\n"));

    [Theory(Timeout = 120_000)]
    [InlineData(1500)]
    [InlineData(1700)]
    public async Task Should_load_a_table_wider_than_a_row_keeping_every_value(int width)
    {
        var columns = Enumerable.Range(1, width).Select(c => new Column($"C{c}", ColumnType.Integer)).ToArray();

        var loaded = await LoadAsync("/x/wide.csv", Csv(width, 1, 2), columns);

        Assert.Equal(2, loaded.RowsLoaded);
        var typed = (long)(await Sql.ScalarAsync(dataSource,
            "SELECT count(*) FROM pg_attribute WHERE attrelid = @q::regclass AND attnum > 0 AND NOT attisdropped AND attname LIKE 'c%'",
            ("q", $"{schema}.wide")))!;
        Assert.Equal(RowBudget.DataBytes / RowBudget.WorstCaseBytes(ColumnType.Integer), typed);
        // The first columns are columns; the rest are keys of _sdc_overflow with the file's text; no value lost.
        var row = (await Sql.RowsAsync(dataSource, $"""
            SELECT c1, c{typed}, _sdc_overflow->>'C{typed + 1}', _sdc_overflow->>'C{width}', (SELECT count(*) FROM jsonb_object_keys(_sdc_overflow))
            FROM {schema}.wide WHERE _sdc_source_lineno = 3
            """)).Single();
        Assert.Equal(new object?[] { 2_000_001L, 2_000_000L + typed, (2_000_000L + typed + 1).ToString(), (2_000_000L + width).ToString(), width - typed }, row);
        var history = await Sql.RowsAsync(dataSource, """
            SELECT count(*) FILTER (WHERE new_type = 'jsonb key'), count(*) FILTER (WHERE new_type = 'bigint')
            FROM responsys_cluster.schema_history WHERE connection_id = @c
            """, ("c", schema));
        Assert.Equal(new object?[] { width - typed, typed }, history.Single());
        Assert.Equal((long)(width - typed), await Sql.ScalarAsync(dataSource,
            "SELECT count(*) FROM responsys_cluster.column_names WHERE connection_id = @c AND in_overflow", ("c", schema)));
    }

    [Fact(Timeout = 120_000)]
    public async Task Should_put_a_later_files_new_column_into_the_overflow_once_the_row_is_full()
    {
        var columns = Enumerable.Range(1, 500).Select(c => new Column($"C{c}", ColumnType.Integer)).ToArray();
        await LoadAsync("/x/a.csv", Csv(500, 1), columns);

        var loaded = await LoadAsync("/x/b.csv", Csv(500, 2).Replace("C500\n", "C500,LATE\n").Replace("000500\n", "000500,late value\n"));

        Assert.Equal(1, loaded.RowsLoaded);
        Assert.Equal("late value", await Sql.ScalarAsync(dataSource, $"SELECT _sdc_overflow->>'LATE' FROM {schema}.wide WHERE _sdc_source_file = '/x/b.csv'"));
        Assert.Null(await Sql.ScalarAsync(dataSource, $"SELECT _sdc_overflow->>'LATE' FROM {schema}.wide WHERE _sdc_source_file = '/x/a.csv'"));
        // Its original name is kept, as a key of the overflow, and the schema history says why it is there.
        Assert.Equal(["_sdc_overflow.LATE", true], (await Sql.RowsAsync(dataSource,
            "SELECT target_column, in_overflow FROM responsys_cluster.column_names WHERE connection_id = @c AND responsys_column = 'LATE'", ("c", schema))).Single());
        Assert.Equal(["wide", "_sdc_overflow.LATE", "add column", null, "jsonb key",
            "column LATE first seen; kept in _sdc_overflow: a PostgreSQL row cannot always hold it beside the table's other columns"],
            (await Sql.RowsAsync(dataSource, """
                SELECT target_table, target_column, change, old_type, new_type, reason FROM responsys_cluster.schema_history
                WHERE connection_id = @c AND target_column LIKE '%LATE'
                """, ("c", schema))).Single());
    }

    [Fact(Timeout = 120_000)]
    public async Task Should_load_a_file_whose_every_column_goes_into_the_overflow()
    {
        var columns = Enumerable.Range(1, 500).Select(c => new Column($"C{c}", ColumnType.Integer)).ToArray();
        await LoadAsync("/x/a.csv", Csv(500, 1), columns);

        var loaded = await LoadAsync("/x/b.csv", "LATE\nfirst\nsecond\n");

        Assert.Equal(2, loaded.RowsLoaded);
        Assert.Equal(["first", "second"], (await Sql.RowsAsync(dataSource,
            $"SELECT _sdc_overflow->>'LATE' FROM {schema}.wide WHERE _sdc_source_file = '/x/b.csv' ORDER BY _sdc_source_lineno")).Select(r => r[0]));
    }
    [Fact(Timeout = 120_000)]
    public async Task Should_give_each_row_an_overflow_of_its_own_non_empty_values_only()
    {
        var columns = Enumerable.Range(1, 500).Select(c => new Column($"C{c}", ColumnType.Integer)).ToArray();
        await LoadAsync("/x/a.csv", Csv(500, 1), columns);
        var lines = Csv(500, 2, 3, 4).Split('\n');
        var csv = string.Join("\n", lines[0] + ",LATE,LATER", lines[1] + ",first,", lines[2] + ",,second", lines[3] + ",,") + "\n";

        var loaded = await LoadAsync("/x/b.csv", csv);

        Assert.Equal(3, loaded.RowsLoaded);
        // The header's last integer columns are in the overflow too: leave them out.
        var overflows = await Sql.RowsAsync(dataSource, $"""
            SELECT (_sdc_overflow - (SELECT array_agg('C' || g) FROM generate_series(1, 500) g))::text
            FROM {schema}.wide WHERE _sdc_source_file = '/x/b.csv' ORDER BY c1
            """);
        Assert.Equal(["""{"LATE": "first"}""", """{"LATER": "second"}""", "{}"], overflows.Select(r => r[0]));
    }
}
