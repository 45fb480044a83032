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
    [InlineData(ColumnType.Number, "1", "12345678901234567890")]
    [InlineData(ColumnType.String, "1", "1e400")]
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
    public void Should_count_the_values_it_saw_but_not_the_empty_ones()
    {
        var inference = new ColumnTypeInference();
        foreach (var value in new[] { "1", "", "2", "", "3" }) inference.Observe(value);
        Assert.Equal(3, inference.ValuesSeen);
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

public sealed class ColumnWideningTests
{
    [Theory]
    [InlineData(ColumnType.Integer, "42", ColumnType.Integer)]
    [InlineData(ColumnType.Integer, "", ColumnType.Integer)]
    [InlineData(ColumnType.Integer, "99999999999999999999999", ColumnType.Number)]
    [InlineData(ColumnType.Integer, "1.5", ColumnType.Number)]
    [InlineData(ColumnType.Integer, "0012", ColumnType.String)]
    [InlineData(ColumnType.Number, "7", ColumnType.Number)]
    [InlineData(ColumnType.Number, "n/a", ColumnType.String)]
    [InlineData(ColumnType.DateTime, "2018-09-11 09:11:02", ColumnType.DateTime)]
    [InlineData(ColumnType.DateTime, "soon", ColumnType.String)]
    [InlineData(ColumnType.String, "123", ColumnType.String)]
    public void Should_widen_only_as_far_as_the_value_needs(ColumnType current, string value, ColumnType needed)
    {
        Assert.Equal(needed, ColumnWidening.Needed(current, value, TimeZoneInfo.Utc));
    }

    [Fact]
    public void Should_not_widen_for_a_wall_clock_time_the_zone_skips()
    {
        // It is moved forward by the gap, as PostgreSQL reads it: still a date-time.
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        Assert.Equal(ColumnType.DateTime, ColumnWidening.Needed(ColumnType.DateTime, "2018-03-11 02:30:00", newYork));
        Assert.Equal(ColumnType.String, ColumnWidening.Needed(ColumnType.DateTime, "2018-03-11 02:30:00.0000001", newYork));
        Assert.Equal(ColumnType.DateTime, ColumnWidening.Needed(ColumnType.DateTime, "2018-03-11 03:30:00", newYork));
    }

    [Theory]
    [InlineData(ColumnType.Integer, ColumnType.Number, ColumnType.Number)]
    [InlineData(ColumnType.DateTime, ColumnType.Integer, ColumnType.String)]
    [InlineData(ColumnType.Number, ColumnType.Number, ColumnType.Number)]
    public void Should_combine_two_needs_into_the_wider_type(ColumnType a, ColumnType b, ColumnType wider)
    {
        Assert.Equal(wider, ColumnWidening.Wider(a, b));
    }
}
