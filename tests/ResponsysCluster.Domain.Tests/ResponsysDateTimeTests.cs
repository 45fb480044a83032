using ResponsysCluster.Domain.Schema;

namespace ResponsysCluster.Domain.Tests;

/// <summary>Each date-time form Responsys writes, at the edges of what it accepts.</summary>
public sealed class ResponsysDateTimeTests
{
    private static string? Parse(string text) =>
        ResponsysDateTime.TryParse(text, out var value, out var hasOffset)
            ? value.ToString("O") + (hasOffset ? " offset" : "")
            : null;

    [Theory]
    [InlineData("2018-09-11", "2018-09-11T00:00:00.0000000")]
    [InlineData("2018-09-11T09:11", "2018-09-11T09:11:00.0000000")]
    [InlineData("2018-09-11t09:11:02", "2018-09-11T09:11:02.0000000")]
    [InlineData("2018-09-11 09:11:02", "2018-09-11T09:11:02.0000000")]
    [InlineData("2018-09-11T09:11:02.5", "2018-09-11T09:11:02.5000000")]
    [InlineData("2018-09-11T09:11:02,25", "2018-09-11T09:11:02.2500000")]
    [InlineData("2018-09-11T09:11:02.123456", "2018-09-11T09:11:02.1234560")]
    [InlineData("2018-09-11T09:11:02.123456000", "2018-09-11T09:11:02.1234560")]
    [InlineData("2016-02-29T23:59:59", "2016-02-29T23:59:59.0000000")]
    [InlineData("0001-01-01T00:00:00", "0001-01-01T00:00:00.0000000")]
    public void Should_read_iso_wall_clock_times(string text, string expected)
    {
        Assert.Equal(expected, Parse(text));
    }

    [Theory]
    [InlineData("2018-09-11Z", "2018-09-11T00:00:00.0000000Z offset")]
    [InlineData("2018-09-11T09:11:02z", "2018-09-11T09:11:02.0000000Z offset")]
    [InlineData("2018-09-11T09:11+01", "2018-09-11T08:11:00.0000000Z offset")]
    [InlineData("2018-09-11T09:11:02-05:30", "2018-09-11T14:41:02.0000000Z offset")]
    [InlineData("2018-09-11T09:11:02+0530", "2018-09-11T03:41:02.0000000Z offset")]
    [InlineData("2018-09-11T09:11:02+05:59", "2018-09-11T03:12:02.0000000Z offset")]
    [InlineData("2018-09-11T20:00:00+18:00", "2018-09-11T02:00:00.0000000Z offset")]
    [InlineData("2018-09-11T00:00:00-18:00", "2018-09-11T18:00:00.0000000Z offset")]
    [InlineData("0001-01-01T01:00:00+01:00", "0001-01-01T00:00:00.0000000Z offset")]
    [InlineData("9999-12-31T22:59:59.999999-01:00", "9999-12-31T23:59:59.9999990Z offset")]
    [InlineData("2018-09-11T09:11:02.123456000+02:00", "2018-09-11T07:11:02.1234560Z offset")]
    public void Should_read_iso_times_with_an_offset_as_utc(string text, string expected)
    {
        Assert.Equal(expected, Parse(text));
    }

    [Theory]
    [InlineData("2018-09-1")]
    [InlineData("2018-0911")]
    [InlineData("2018-09-11T0911")]
    [InlineData("2018/09/11")]
    [InlineData("2018-9-11 09:11")]
    [InlineData("0000-01-01")]
    [InlineData("2018-00-11")]
    [InlineData("2018-09-00")]
    [InlineData("2018-02-29")]
    [InlineData("2018-09-31")]
    [InlineData("2018-09-11T")]
    [InlineData("2018-09-11T09")]
    [InlineData("2018-09-11T09:")]
    [InlineData("2018-09-11T9:11")]
    [InlineData("2018-09-11T09:1")]
    [InlineData("2018-09-11T09:11:")]
    [InlineData("2018-09-11T09:11:2")]
    [InlineData("2018-09-11T09:11:02.")]
    [InlineData("2018-09-11T09:11:02.1234567890")]
    [InlineData("2018-09-11T09:11:02.1234567")]
    [InlineData("2018-09-11T09:11:02.123456789")]
    [InlineData("2018-09-11T09:11:02.000000001")]
    [InlineData("2018-09-11T24:00:00")]
    [InlineData("2018-09-11T09:60:00")]
    [InlineData("2018-09-11T09:11:60")]
    [InlineData("2018-09-11T09:11:02+")]
    [InlineData("2018-09-11T09:11:02+5")]
    [InlineData("2018-09-11T09:11:02+05:")]
    [InlineData("2018-09-11T09:11:02+05:6")]
    [InlineData("2018-09-11T09:11:02+19:00")]
    [InlineData("2018-09-11T09:11:02+05:60")]
    [InlineData("2018-09-11T09:11:02+02:00x")]
    [InlineData("2018-09-11T09:11:02Zx")]
    [InlineData("2018-09-11T09:11:02 ")]
    [InlineData("2018-09-11T09:11:02x")]
    [InlineData("2018-09-11_09:11:02")]
    [InlineData("0001-01-01T00:00:00+01:00")]
    [InlineData("9999-12-31T23:59:59-01:00")]
    [InlineData("2018-09-11T09:11:02.1234567890123456789012345678901")]
    public void Should_refuse_text_that_is_not_quite_an_iso_date_time(string text)
    {
        Assert.Null(Parse(text));
    }

    [Theory]
    [InlineData("10-SEP-2018", "2018-09-10T00:00:00.0000000")]
    [InlineData("1-Jan-2019", "2019-01-01T00:00:00.0000000")]
    [InlineData("31-dec-2019 23:59", "2019-12-31T23:59:00.0000000")]
    [InlineData("10-SEP-2018 19:27:52", "2018-09-10T19:27:52.0000000")]
    [InlineData("15-FEB-2018", "2018-02-15T00:00:00.0000000")]
    [InlineData("15-MAR-2018", "2018-03-15T00:00:00.0000000")]
    [InlineData("15-APR-2018", "2018-04-15T00:00:00.0000000")]
    [InlineData("15-MAY-2018", "2018-05-15T00:00:00.0000000")]
    [InlineData("15-JUN-2018", "2018-06-15T00:00:00.0000000")]
    [InlineData("15-JUL-2018", "2018-07-15T00:00:00.0000000")]
    [InlineData("15-AUG-2018", "2018-08-15T00:00:00.0000000")]
    [InlineData("15-OCT-2018", "2018-10-15T00:00:00.0000000")]
    [InlineData("15-NOV-2018", "2018-11-15T00:00:00.0000000")]
    public void Should_read_oracle_dates(string text, string expected)
    {
        Assert.Equal(expected, Parse(text));
    }

    [Theory]
    [InlineData("100-SEP-2018")]
    [InlineData("10SEP-2018")]
    [InlineData("10-SEP2018")]
    [InlineData("10-SEP-2018 19")]
    [InlineData("10-SEP-2018 1927")]
    [InlineData("10-SEPT-2018")]
    [InlineData("10-SE-2018")]
    [InlineData("10/SEP/2018")]
    [InlineData("10-SEP-18 19:27:52")]
    [InlineData("31-SEP-2018")]
    [InlineData("10-SEP-2018T19:27:52")]
    [InlineData("10-SEP-2018 19:27:5")]
    [InlineData("10-SEP-2018 19:27:52 PM")]
    [InlineData("10-SEP-2018 7:27:52")]
    [InlineData("-SEP-2018 19:27:52")]
    public void Should_refuse_text_that_is_not_quite_an_oracle_date(string text)
    {
        Assert.Null(Parse(text));
    }

    [Theory]
    [InlineData("09/11/2018", "2018-09-11T00:00:00.0000000")]
    [InlineData("9/1/2018", "2018-09-01T00:00:00.0000000")]
    [InlineData("9/11/2018", "2018-09-11T00:00:00.0000000")]
    [InlineData("12/1/2018 09:11", "2018-12-01T09:11:00.0000000")]
    [InlineData("09/11/2018 09:11:02", "2018-09-11T09:11:02.0000000")]
    [InlineData("09/11/2018 09:11 PM", "2018-09-11T21:11:00.0000000")]
    [InlineData("09/11/2018 01:00:00 pm", "2018-09-11T13:00:00.0000000")]
    [InlineData("09/11/2018 12:00:00 PM", "2018-09-11T12:00:00.0000000")]
    [InlineData("09/11/2018 12:30:00 AM", "2018-09-11T00:30:00.0000000")]
    [InlineData("09/11/2018 09:11:02 am", "2018-09-11T09:11:02.0000000")]
    [InlineData("09/11/2018 13:00:00", "2018-09-11T13:00:00.0000000")]
    public void Should_read_us_dates_with_an_optional_twelve_hour_clock(string text, string expected)
    {
        Assert.Equal(expected, Parse(text));
    }

    [Theory]
    [InlineData("001/11/2018")]
    [InlineData("001-SEP-2018")]
    [InlineData("09/011/2018")]
    [InlineData("13/11/2018")]
    [InlineData("09/11/18")]
    [InlineData("09/112018")]
    [InlineData("09/11/2018 09")]
    [InlineData("09-11/2018")]
    [InlineData("09/11-2018")]
    [InlineData("09/11/2018 PM")]
    [InlineData("09/11/2018 9:11:02 PM")]
    [InlineData("09/11/2018 00:30:00 AM")]
    [InlineData("09/11/2018 13:00:00 PM")]
    [InlineData("09/11/2018 09:11:02 XM")]
    [InlineData("09/11/2018 09:11:02_PM")]
    [InlineData("09/11/2018 09:11:02 PMT")]
    [InlineData("09/11/2018 09:11:02 P")]
    [InlineData("09/11/2018T09:11:02")]
    public void Should_refuse_text_that_is_not_quite_a_us_date(string text)
    {
        Assert.Null(Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("2018-9")]
    [InlineData("1/1/201")]
    [InlineData("12345678")]
    [InlineData("Sept 3rd")]
    [InlineData("abcd-efgh-ij")]
    public void Should_refuse_words_numbers_and_short_text(string text)
    {
        Assert.Null(Parse(text));
    }

    [Fact]
    public void Should_read_wall_clock_times_as_utc_for_singer()
    {
        Assert.True(ResponsysDateTime.TryParseUtc("10-SEP-2018 19:27:52", out var utc));
        Assert.Equal(new DateTime(2018, 9, 10, 19, 27, 52, DateTimeKind.Utc), utc);
        Assert.Equal(DateTimeKind.Utc, utc.Kind);
        Assert.False(ResponsysDateTime.TryParseUtc("not a date", out _));
    }
}
