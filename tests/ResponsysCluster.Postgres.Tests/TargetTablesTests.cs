using Npgsql;
using ResponsysCluster.Domain.Schema;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Postgres.Tests;

[Collection(PostgresCollection.Name)]
public sealed class TargetTablesTests(PostgresServer server) : IAsyncLifetime
{
    // One connection id and target schema per test: the control tables are shared by every test and assembly.
    private readonly string schema = "tt_" + Guid.NewGuid().ToString("N")[..12];
    private NpgsqlDataSource dataSource = null!;

    public async Task InitializeAsync()
    {
        dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        await ControlTables.EnsureAsync(dataSource, CancellationToken.None);
    }

    public async Task DisposeAsync() => await dataSource.DisposeAsync();

    private TargetTables Tables() => new(dataSource, schema, schema);

    private Task<TargetTable> EnsureAsync(string table, params Column[] columns) => Tables().EnsureAsync(table, columns, CancellationToken.None);

    private static Column Text(string name) => new(name, ColumnType.String);

    private async Task<string[]> TablesInSchemaAsync() =>
        (await Sql.RowsAsync(dataSource, "SELECT table_name FROM information_schema.tables WHERE table_schema = @s ORDER BY table_name", ("s", schema)))
        .Select(r => (string)r[0]!).ToArray();

    private async Task<Dictionary<string, string>> ColumnTypesAsync(string table) =>
        (await Sql.RowsAsync(dataSource, "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = @s AND table_name = @t",
            ("s", schema), ("t", table)))
        .ToDictionary(r => (string)r[0]!, r => (string)r[1]!);

    private Task<List<object?[]>> HistoryAsync(string change) =>
        Sql.RowsAsync(dataSource, """
            SELECT target_schema, target_table, target_column, old_type, new_type, reason FROM responsys_cluster.schema_history
            WHERE connection_id = @c AND change = @change ORDER BY id
            """, ("c", schema), ("change", change));

    [Fact]
    public async Task Should_fold_a_table_name_to_lower_case_with_other_characters_as_underscores_and_a_leading_digit_prefixed()
    {
        var table = await EnsureAsync("1234_Click-Events.v2");

        Assert.Equal("_1234_click_events_v2", table.Table);
        Assert.Equal(["_1234_click_events_v2"], await TablesInSchemaAsync());
    }

    [Fact]
    public async Task Should_fold_column_names_into_safe_identifiers_found_by_their_original_names()
    {
        var table = await EnsureAsync("LIST", Text("First Name"), Text("E-MAIL"), Text("2ND_PHONE"));

        Assert.Equal("first_name", table.Columns["First Name"].Name);
        Assert.Equal("e_mail", table.Columns["E-MAIL"].Name);
        Assert.Equal("_2nd_phone", table.Columns["2ND_PHONE"].Name);
        Assert.Superset(new HashSet<string> { "first_name", "e_mail", "_2nd_phone" }, (await ColumnTypesAsync("list")).Keys.ToHashSet());
    }

    [Fact]
    public async Task Should_cut_long_table_names_to_63_bytes_keeping_two_names_with_a_common_prefix_apart()
    {
        var prefix = new string('A', 70);

        var first = await EnsureAsync(prefix + "_OPENED");
        var second = await EnsureAsync(prefix + "_CLICKED");

        Assert.Equal(63, first.Table.Length);
        Assert.Equal(63, second.Table.Length);
        Assert.Equal(new[] { first.Table, second.Table }.Order(), await TablesInSchemaAsync());
    }

    [Fact]
    public async Task Should_number_a_table_whose_name_folds_onto_a_table_already_there()
    {
        var first = await EnsureAsync("CONTACT_LIST");
        var second = await EnsureAsync("Contact-List");
        var third = await EnsureAsync("contact list");

        Assert.Equal(["contact_list", "contact_list_2", "contact_list_3"], [first.Table, second.Table, third.Table]);
        Assert.Equal(["contact_list", "contact_list_2", "contact_list_3"], await TablesInSchemaAsync());
    }

    [Fact]
    public async Task Should_give_tables_folding_onto_one_name_distinct_names_when_ensured_at_once()
    {
        string[] names = ["A-B", "A B", "A.B", "a_b", "A/B", "A+B"];

        var tables = await Task.WhenAll(names.Select(n => Task.Run(() => EnsureAsync(n))));

        Assert.Equal(["a_b", "a_b_2", "a_b_3", "a_b_4", "a_b_5", "a_b_6"], tables.Select(t => t.Table).Order());
    }

    [Fact]
    public async Task Should_number_a_column_whose_name_folds_onto_another_column()
    {
        await EnsureAsync("LIST", Text("First Name"), Text("FIRST_NAME"));
        var later = await EnsureAsync("LIST", Text("First Name"), Text("first-name"));

        Assert.Equal("first_name", later.Columns["First Name"].Name);
        Assert.Equal("first_name_2", later.Columns["FIRST_NAME"].Name);
        Assert.Equal("first_name_3", later.Columns["first-name"].Name);
    }

    [Fact]
    public async Task Should_number_a_column_that_folds_onto_a_system_column()
    {
        var table = await EnsureAsync("LIST", Text("_SDC_SOURCE_FILE"), Text("_sdc_batched_at"));

        Assert.Equal("_sdc_source_file_2", table.Columns["_SDC_SOURCE_FILE"].Name);
        Assert.Equal("_sdc_batched_at_2", table.Columns["_sdc_batched_at"].Name);
    }

    [Fact]
    public async Task Should_create_the_table_with_the_sdc_columns()
    {
        await EnsureAsync("LIST");

        Assert.Equal(new Dictionary<string, string>
        {
            ["_sdc_source_file"] = "text",
            ["_sdc_source_lineno"] = "bigint",
            ["_sdc_extra"] = "jsonb",
            ["_sdc_extracted_at"] = "timestamp with time zone",
            ["_sdc_batched_at"] = "timestamp with time zone",
        }, await ColumnTypesAsync("list"));
    }

    [Fact]
    public async Task Should_create_a_table_without_a_key_and_with_a_brin_index_on_the_source_file()
    {
        await EnsureAsync("LIST", Text("ID"));

        Assert.Empty(await Sql.RowsAsync(dataSource, "SELECT conname FROM pg_constraint WHERE conrelid = @t::regclass", ("t", schema + ".list")));
        Assert.Equal(new List<object?[]> { new object?[] { "CREATE INDEX list__sdc_source_file_idx ON " + schema + ".list USING brin (_sdc_source_file) WITH (autosummarize='on')" } },
            await Sql.RowsAsync(dataSource, "SELECT indexdef FROM pg_indexes WHERE schemaname = @s AND tablename = 'list'", ("s", schema)));
    }

    [Fact]
    public async Task Should_leave_the_key_and_indexes_of_an_existing_table_as_they_are()
    {
        await EnsureAsync("LIST", Text("ID"));
        await Sql.ScalarAsync(dataSource, $"DROP INDEX {schema}.list__sdc_source_file_idx; ALTER TABLE {schema}.list ADD PRIMARY KEY (_sdc_source_file, _sdc_source_lineno)");

        await EnsureAsync("LIST", Text("ID"), Text("EMAIL"));

        Assert.Equal(["list_pkey"], (await Sql.RowsAsync(dataSource, "SELECT indexname FROM pg_indexes WHERE schemaname = @s AND tablename = 'list'", ("s", schema)))
            .Select(r => r[0]));
    }

    [Fact]
    public async Task Should_keep_the_original_table_name_in_table_names()
    {
        await EnsureAsync("Contact-List");

        var names = await Sql.RowsAsync(dataSource, "SELECT responsys_table, target_schema, target_table FROM responsys_cluster.table_names WHERE connection_id = @c",
            ("c", schema));

        Assert.Equal(new List<object?[]> { new object?[] { "Contact-List", schema, "contact_list" } }, names);
    }

    [Fact]
    public async Task Should_keep_the_original_column_names_in_column_names()
    {
        await EnsureAsync("Contact-List", Text("First Name"), Text("E-MAIL"));

        var names = await Sql.RowsAsync(dataSource, """
            SELECT responsys_table, responsys_column, target_column FROM responsys_cluster.column_names WHERE connection_id = @c ORDER BY target_column
            """, ("c", schema));

        Assert.Equal(new List<object?[]>
        {
            new object?[] { "Contact-List", "E-MAIL", "e_mail" },
            new object?[] { "Contact-List", "First Name", "first_name" },
        }, names);
    }

    [Fact]
    public async Task Should_keep_the_original_names_as_comments_even_with_quotes_in_them()
    {
        await EnsureAsync("O'Brien List", Text("Don't Mail"));

        var comments = await Sql.RowsAsync(dataSource, """
            SELECT obj_description(c.oid, 'pg_class'), col_description(c.oid, a.attnum)
            FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
            WHERE c.relnamespace = @s::regnamespace AND c.relname = 'o_brien_list' AND a.attname = 'don_t_mail'
            """, ("s", schema));

        Assert.Equal(new List<object?[]> { new object?[] { "Responsys table O'Brien List", "Responsys column Don't Mail" } }, comments);
    }

    [Fact]
    public async Task Should_keep_a_tables_and_its_columns_names_on_later_runs()
    {
        await EnsureAsync("Contact-List", Text("E-MAIL"));
        await EnsureAsync("CONTACT_LIST", Text("E_MAIL"));

        var again = await EnsureAsync("Contact-List", Text("E-MAIL"));

        Assert.Equal("contact_list", again.Table);
        Assert.Equal("e_mail", again.Columns["E-MAIL"].Name);
        Assert.Equal(2L, await Sql.CountAsync(dataSource, "SELECT count(*) FROM responsys_cluster.table_names WHERE connection_id = @c", ("c", schema)));
        Assert.Equal(2L, await Sql.CountAsync(dataSource, "SELECT count(*) FROM responsys_cluster.column_names WHERE connection_id = @c", ("c", schema)));
    }

    [Fact]
    public async Task Should_add_a_column_a_later_file_brings_and_record_it_in_schema_history()
    {
        await EnsureAsync("LIST", new Column("ID", ColumnType.Integer));

        var later = await EnsureAsync("LIST", new Column("ID", ColumnType.Integer), Text("EMAIL"));

        Assert.Equal(["EMAIL", "ID"], later.Columns.Keys.Order());
        Assert.Equal("text", (await ColumnTypesAsync("list"))["email"]);
        Assert.Equal(new List<object?[]>
        {
            new object?[] { schema, "list", "id", null, "bigint", "column ID first seen" },
            new object?[] { schema, "list", "email", null, "text", "column EMAIL first seen" },
        }, await HistoryAsync("add column"));
    }

    [Fact]
    public async Task Should_return_the_columns_it_has_just_added_with_their_types()
    {
        var table = await EnsureAsync("LIST", new Column("I", ColumnType.Integer), new Column("N", ColumnType.Number), new Column("D", ColumnType.DateTime));

        Assert.Equal(new Dictionary<string, TargetColumn>
        {
            ["I"] = new("i", ColumnType.Integer),
            ["N"] = new("n", ColumnType.Number),
            ["D"] = new("d", ColumnType.DateTime),
        }, table.Columns);
    }

    [Fact]
    public async Task Should_return_every_known_column_with_its_current_type_even_when_not_asked_for()
    {
        await EnsureAsync("LIST", new Column("I", ColumnType.Integer), new Column("N", ColumnType.Number),
            new Column("D", ColumnType.DateTime), new Column("S", ColumnType.String));

        var table = await EnsureAsync("LIST");

        Assert.Equal(new Dictionary<string, TargetColumn>
        {
            ["I"] = new("i", ColumnType.Integer),
            ["N"] = new("n", ColumnType.Number),
            ["D"] = new("d", ColumnType.DateTime),
            ["S"] = new("s", ColumnType.String),
        }, table.Columns);
    }

    [Theory]
    [InlineData(ColumnType.Integer, ColumnType.Number, "42", "2.5", "bigint", "numeric")]
    [InlineData(ColumnType.Number, ColumnType.String, "2.5", "n/a", "numeric", "text")]
    [InlineData(ColumnType.Integer, ColumnType.String, "42", "n/a", "bigint", "text")]
    // A date-time widened to text takes the canonical form (ISO 8601 in UTC), not the session's rendering.
    [InlineData(ColumnType.DateTime, ColumnType.String, "2018-09-11 09:11:02+00", "not a date", "timestamptz", "text", "2018-09-11T09:11:02.000000Z")]
    public async Task Should_widen_a_column_keeping_its_values_and_record_why_in_schema_history(
        ColumnType from, ColumnType to, string kept, string example, string oldType, string newType, string? rendered = null)
    {
        var table = await EnsureAsync("LIST", new Column("AMOUNT", from));
        await Sql.ScalarAsync(dataSource,
            $"INSERT INTO {schema}.list (amount, _sdc_source_file, _sdc_source_lineno, _sdc_extracted_at, _sdc_batched_at) VALUES ('{kept}', 'f', 2, now(), now())");
        // The value as the old type renders it (a timestamptz in the server's time zone), which is what widening keeps.
        var keptAsText = rendered ?? await Sql.ScalarAsync(dataSource, $"SELECT '{kept}'::{oldType}::text");

        await Tables().WidenAsync(table, "AMOUNT", to, example, CancellationToken.None);

        Assert.Equal(newType, (await ColumnTypesAsync("list"))["amount"]);
        Assert.Equal(keptAsText, await Sql.ScalarAsync(dataSource, $"SELECT amount::text FROM {schema}.list"));
        Assert.Equal(new List<object?[]> { new object?[] { schema, "list", "amount", oldType, newType, $"value '{example}' of column AMOUNT does not fit {oldType}" } },
            await HistoryAsync("widen column"));
    }

    [Theory]
    [InlineData(100, false)]
    [InlineData(101, true)]
    public async Task Should_show_at_most_100_characters_of_the_value_in_the_widening_reason(int length, bool cut)
    {
        var table = await EnsureAsync("LIST", new Column("AMOUNT", ColumnType.Integer));
        var value = string.Concat(Enumerable.Range(0, length).Select(i => (char)('a' + i % 26)));

        await Tables().WidenAsync(table, "AMOUNT", ColumnType.String, value, CancellationToken.None);

        var shown = cut ? value[..100] + "…" : value;
        Assert.Equal($"value '{shown}' of column AMOUNT does not fit bigint", (await HistoryAsync("widen column")).Single()[5]);
    }
}
