using ResponsysCluster.Domain.Configuration;

namespace ResponsysCluster.Domain.Tests;

/// <summary>The <c>tables</c> key: the tables a connection replicates.</summary>
public sealed class TableSelectionTests
{
    private static ConnectionConfig Parse(string tables) =>
        ConnectionConfigParser.Parse($$"""{"host": "h", "username": "u", "path": "/p", "password": "x"{{tables}}}""", "/home/me").Config;

    [Fact]
    public void Should_select_every_table_without_the_key()
    {
        var config = Parse("");

        Assert.Null(config.Tables);
        Assert.True(config.Selects("ANY_TABLE"));
    }

    [Fact]
    public void Should_select_only_the_tables_listed_by_their_exact_names()
    {
        var config = Parse(""", "tables": ["CONTACT_LIST", "74310_CLICKED"]""");

        Assert.Equal(["CONTACT_LIST", "74310_CLICKED"], config.Tables);
        Assert.True(config.Selects("74310_CLICKED"));
        Assert.False(config.Selects("contact_list"));
        Assert.False(config.Selects("74310_OPENED"));
    }

    [Theory]
    [InlineData(""", "tables": "CONTACT_LIST" """, "must be a list of table names")]
    [InlineData(""", "tables": ["A", 1] """, "must be a list of table names")]
    [InlineData(""", "tables": ["A", ""] """, "must be a list of table names")]
    [InlineData(""", "tables": ["A", "A"] """, "lists A twice")]
    [InlineData(""", "tables": [] """, "lists no table: leave it out to replicate every table")]
    public void Should_refuse_a_selection_that_is_not_a_list_of_distinct_names(string tables, string reason)
    {
        var error = Assert.Throws<ConfigException>(() => Parse(tables));

        Assert.Equal(("tables", reason), (error.Key, error.Reason));
    }

    [Fact]
    public void Should_select_the_columns_listed_per_table_and_all_columns_of_a_table_not_named()
    {
        var config = Parse(""", "columns": {"CONTACT_LIST": ["RIID_", "EMAIL_ADDRESS_"]}""");

        Assert.Equal(["RIID_", "EMAIL_ADDRESS_"], config.ColumnsOf("CONTACT_LIST"));
        Assert.Null(config.ColumnsOf("OPENED"));
        Assert.Null(Parse("").ColumnsOf("CONTACT_LIST"));
    }

    [Fact]
    public void Should_take_an_empty_column_selection_as_none()
    {
        var config = Parse(""", "columns": {}""");

        Assert.Null(config.Columns);
        Assert.Null(config.ColumnsOf("CONTACT_LIST"));
    }

    [Theory]
    [InlineData(""", "columns": ["A"] """, "must map table names to lists of column names")]
    [InlineData(""", "columns": {"T": "A"} """, "must map table names to lists of column names")]
    [InlineData(""", "columns": {"T": ["A", 2]} """, "must map table names to lists of column names")]
    [InlineData(""", "columns": {"T": ["A", "A"]} """, "lists A of T twice")]
    [InlineData(""", "columns": {"T": []} """, "selects no column of T: leave the table out to load all its columns")]
    [InlineData(""", "tables": ["T"], "columns": {"U": ["A"]} """, "selects columns of U, a table the 'tables' key leaves out")]
    public void Should_refuse_a_column_selection_that_is_malformed_or_names_an_unselected_table(string columns, string reason)
    {
        var error = Assert.Throws<ConfigException>(() => Parse(columns));

        Assert.Equal("columns", error.Key);
        Assert.StartsWith(reason, error.Reason);
    }
}
