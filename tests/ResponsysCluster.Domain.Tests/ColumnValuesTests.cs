using ResponsysCluster.Domain.Schema;

namespace ResponsysCluster.Domain.Tests;

public sealed class ColumnValuesTests
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("-42", -42L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    public void Should_read_integers_a_64_bit_integer_holds(string text, long expected)
    {
        Assert.True(ColumnValues.TryInteger(text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("9223372036854775808")]
    [InlineData("0012")]
    [InlineData("+5")]
    [InlineData("1.0")]
    [InlineData("")]
    public void Should_not_read_as_integer_what_would_change_or_overflow(string text) => Assert.False(ColumnValues.TryInteger(text, out _));

    [Theory]
    [InlineData("1.5", "1.5")]
    [InlineData("-0.25e2", "-25")]
    [InlineData("79228162514264337593543950335", "79228162514264337593543950335")]
    public void Should_read_numbers_a_decimal_holds(string text, string expected)
    {
        Assert.True(ColumnValues.TryNumber(text, out var value));
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("07.5")]
    [InlineData("1,5")]
    public void Should_not_read_as_number_what_a_decimal_cannot_hold_or_is_not_json(string text) => Assert.False(ColumnValues.TryNumber(text, out _));

    [Fact]
    public void Should_read_a_wall_clock_time_in_the_zone_and_an_offset_as_written()
    {
        Assert.True(ColumnValues.TryDateTimeUtc("2018-09-11 09:11:02", NewYork, out var wallClock));
        Assert.Equal(new DateTime(2018, 9, 11, 13, 11, 2, DateTimeKind.Utc), wallClock);
        Assert.Equal(DateTimeKind.Utc, wallClock.Kind);
        Assert.True(ColumnValues.TryDateTimeUtc("2018-09-11T09:11:02+02:00", NewYork, out var withOffset));
        Assert.Equal(new DateTime(2018, 9, 11, 7, 11, 2, DateTimeKind.Utc), withOffset);
        Assert.True(ColumnValues.TryDateTimeUtc("2018-09-11 09:11:02", TimeZoneInfo.Utc, out var utc));
        Assert.Equal((new DateTime(2018, 9, 11, 9, 11, 2), DateTimeKind.Utc), (utc, utc.Kind));
    }

    [Fact]
    public void Should_not_convert_a_wall_clock_time_the_zone_skips() =>
        Assert.False(ColumnValues.TryDateTimeUtc("2018-03-11 02:30:00", NewYork, out _));

    [Theory]
    [InlineData(ColumnType.Integer, "", true)]
    [InlineData(ColumnType.Integer, "12", true)]
    [InlineData(ColumnType.Integer, "1.5", false)]
    [InlineData(ColumnType.Number, "1.5", true)]
    [InlineData(ColumnType.Number, "abc", false)]
    [InlineData(ColumnType.DateTime, "2018-09-11", true)]
    [InlineData(ColumnType.DateTime, "2018-03-11 02:30:00", false)]
    [InlineData(ColumnType.String, "anything", true)]
    public void Should_say_whether_a_value_fits_its_type(ColumnType type, string value, bool fits) =>
        Assert.Equal(fits, ColumnValues.Fits(type, value, NewYork));
}
