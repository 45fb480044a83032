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

    [Theory]
    [InlineData("2018-03-11 02:30:00", "2018-03-11T07:30:00")] // EST's offset: 03:30 EDT, 30 minutes past the gap's end
    [InlineData("2018-03-11 02:00:00", "2018-03-11T07:00:00")] // the gap's first instant: 03:00 EDT
    [InlineData("2018-03-11 02:59:59", "2018-03-11T07:59:59")]
    public void Should_move_a_wall_clock_time_the_zone_skips_forward_by_the_gap(string text, string expectedUtc)
    {
        Assert.True(ColumnValues.TryDateTimeUtc(text, NewYork, out var utc, out var shifted));
        Assert.True(shifted);
        Assert.Equal(DateTime.SpecifyKind(DateTime.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc), utc);
    }

    [Theory]
    [InlineData("2018-03-11 02:30:00+00:00")]
    [InlineData("2018-03-11 02:30:00Z")]
    public void Should_not_call_a_time_with_its_own_offset_shifted_even_inside_the_zones_gap(string text)
    {
        Assert.True(ColumnValues.TryDateTimeUtc(text, NewYork, out var utc, out var shifted));
        Assert.False(shifted);
        Assert.Equal(new DateTime(2018, 3, 11, 2, 30, 0, DateTimeKind.Utc), utc);
    }

    [Fact]
    public void Should_keep_the_first_instant_of_the_calendar_reached_through_the_zones_offset()
    {
        // 01:00 at UTC+1 is the calendar's first instant in UTC: still a date-time.
        var plusOne = TimeZoneInfo.FindSystemTimeZoneById("Etc/GMT-1");
        Assert.True(ColumnValues.TryDateTimeUtc("0001-01-01 01:00:00", plusOne, out var utc));
        Assert.Equal(DateTime.MinValue, utc);
        Assert.False(ColumnValues.TryDateTimeUtc("0001-01-01 00:59:59", plusOne, out _));
    }

    [Theory]
    [InlineData("2018-03-11 01:59:59", "2018-03-11T06:59:59")]
    [InlineData("2018-03-11 03:00:00", "2018-03-11T07:00:00")]
    [InlineData("2018-11-04 01:30:00", "2018-11-04T06:30:00")] // in the overlap: standard time
    [InlineData("2018-07-01 12:00:00", "2018-07-01T16:00:00")]
    public void Should_not_shift_a_wall_clock_time_outside_a_gap(string text, string expectedUtc)
    {
        Assert.True(ColumnValues.TryDateTimeUtc(text, NewYork, out var utc, out var shifted));
        Assert.False(shifted);
        Assert.Equal(DateTime.SpecifyKind(DateTime.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc), utc);
    }

    [Theory]
    [InlineData("0001-01-01 00:00:00", "UTC", "0001-01-01T00:00:00")]
    [InlineData("9999-12-31 23:59:59.999999", "UTC", "9999-12-31T23:59:59.999999")]
    [InlineData("0001-01-01 00:00:00", "Etc/GMT+5", "0001-01-01T05:00:00")]
    public void Should_keep_the_calendar_ends_as_written(string text, string zone, string expectedUtc)
    {
        Assert.True(ColumnValues.TryDateTimeUtc(text, TimeZoneInfo.FindSystemTimeZoneById(zone), out var utc));
        Assert.Equal(DateTime.SpecifyKind(DateTime.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc), utc);
    }

    [Theory]
    [InlineData("9999-12-31 23:00:00", "America/New_York")]
    [InlineData("0001-01-01 00:00:00", "Asia/Tokyo")]
    public void Should_not_convert_a_wall_clock_time_whose_utc_time_leaves_the_calendar(string text, string zone) =>
        Assert.False(ColumnValues.TryDateTimeUtc(text, TimeZoneInfo.FindSystemTimeZoneById(zone), out _));

    [Theory]
    [InlineData(ColumnType.Integer, "", true)]
    [InlineData(ColumnType.Integer, "12", true)]
    [InlineData(ColumnType.Integer, "1.5", false)]
    [InlineData(ColumnType.Number, "1.5", true)]
    [InlineData(ColumnType.Number, "abc", false)]
    [InlineData(ColumnType.DateTime, "2018-09-11", true)]
    [InlineData(ColumnType.DateTime, "2018-03-11 02:30:00", true)]
    [InlineData(ColumnType.DateTime, "2018-09-11 09:11:02.1234567", false)]
    [InlineData(ColumnType.String, "anything", true)]
    public void Should_say_whether_a_value_fits_its_type(ColumnType type, string value, bool fits) =>
        Assert.Equal(fits, ColumnValues.Fits(type, value, NewYork));
}
