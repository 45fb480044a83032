using ResponsysCluster.Domain.Schema;

namespace ResponsysCluster.Domain.Tests;

public sealed class ColumnTypeInferenceTests
{
    private static ColumnType Infer(params string[] values)
    {
        var inference = new ColumnTypeInference();
        foreach (var value in values) inference.Observe(value);
        return inference.Result;
    }

    [Theory]
    [InlineData(ColumnType.Integer, "1", "22", "-3", "0")]
    [InlineData(ColumnType.Integer, "1", "", "3")]
    [InlineData(ColumnType.Number, "1", "2.5", "-3e5")]
    [InlineData(ColumnType.Number, "0.5", "10")]
    [InlineData(ColumnType.String, "07050", "10001")]
    [InlineData(ColumnType.String, "0012", "0013")]
    [InlineData(ColumnType.String, "00.5", "1.5")]
    [InlineData(ColumnType.String, "1", "two")]
    [InlineData(ColumnType.String, "", "")]
    [InlineData(ColumnType.DateTime, "2018-09-11 09:11:02", "2018-09-12T10:00:00Z")]
    [InlineData(ColumnType.DateTime, "10-SEP-2018 19:27:52", "01-jan-2019 00:00:00")]
    [InlineData(ColumnType.DateTime, "09/11/2018 09:11:02", "")]
    [InlineData(ColumnType.String, "2018-09-11 09:11:02", "hello")]
    [InlineData(ColumnType.String, "March", "May", "today")]
    [InlineData(ColumnType.String, "Monday", "Sept 3")]
    public void Should_infer_the_narrowest_type_every_value_fits(ColumnType expected, params string[] values)
    {
        Assert.Equal(expected, Infer(values));
    }

    [Fact]
    public void Should_not_let_one_date_like_value_make_a_text_column_a_date_time()
    {
        var values = Enumerable.Repeat("some text", 999).Append("2018-09-11").ToArray();
        Assert.Equal(ColumnType.String, Infer(values));
    }

    [Fact]
    public void Should_keep_columns_in_first_seen_order_across_files()
    {
        var table = new TableSchemaInference();
        var first = table.AddHeader(["ID", "EMAIL"]);
        first[0].Observe("1");
        first[1].Observe("a@b.c");
        var second = table.AddHeader(["EMAIL", "ID", "CITY"]);
        second[1].Observe("2.5");
        Assert.Equal(
            [new Column("ID", ColumnType.Number), new Column("EMAIL", ColumnType.String), new Column("CITY", ColumnType.String)],
            table.Columns);
    }
}
