using ResponsysCluster.Domain.Schema;

namespace ResponsysCluster.Domain.Tests;

public sealed class ResponsysValuesTests
{
    [Theory]
    [InlineData("0", true)]
    [InlineData("-12", true)]
    [InlineData("123456789012345678901234567890", true)]
    [InlineData("07050", false)]
    [InlineData("+5", false)]
    [InlineData("-", false)]
    [InlineData("1.0", false)]
    [InlineData(" 1", false)]
    [InlineData("", false)]
    public void Should_recognise_integers_without_losing_leading_zeros(string value, bool expected)
    {
        Assert.Equal(expected, ResponsysValues.IsInteger(value));
    }

    [Theory]
    [InlineData("0.5", true)]
    [InlineData("-1.25e-3", true)]
    [InlineData("1E10", true)]
    [InlineData("10", true)]
    [InlineData(".5", false)]
    [InlineData("1.", false)]
    [InlineData("01.5", false)]
    [InlineData("1e", false)]
    [InlineData("NaN", false)]
    [InlineData("Infinity", false)]
    [InlineData("1,5", false)]
    [InlineData("", false)]
    [InlineData("-", false)]
    [InlineData("-0.5", true)]
    [InlineData("-05", false)]
    public void Should_recognise_json_numbers(string value, bool expected)
    {
        Assert.Equal(expected, ResponsysValues.IsNumber(value));
    }

    [Theory]
    [InlineData("2018-09-11", "2018-09-11T00:00:00.0000000Z")]
    [InlineData("2018-09-11 09:11:02", "2018-09-11T09:11:02.0000000Z")]
    [InlineData("2018-09-11T09:11:02", "2018-09-11T09:11:02.0000000Z")]
    [InlineData("2018-09-11T09:11", "2018-09-11T09:11:00.0000000Z")]
    [InlineData("2018-09-11T09:11:02.123456Z", "2018-09-11T09:11:02.1234560Z")]
    [InlineData("2018-09-11T09:11:02+02:00", "2018-09-11T07:11:02.0000000Z")]
    [InlineData("2018-09-11T09:11:02-0530", "2018-09-11T14:41:02.0000000Z")]
    [InlineData("2018-09-11 01:00:00+01", "2018-09-11T00:00:00.0000000Z")]
    [InlineData("10-SEP-2018 19:27:52", "2018-09-10T19:27:52.0000000Z")]
    [InlineData("10-sep-2018", "2018-09-10T00:00:00.0000000Z")]
    [InlineData("09/11/2018 09:11:02", "2018-09-11T09:11:02.0000000Z")]
    [InlineData("9/1/2018 9:11:02 PM", null)]
    [InlineData("09/01/2018 09:11:02 PM", "2018-09-01T21:11:02.0000000Z")]
    [InlineData("2018-02-30", null)]
    [InlineData("2018-13-01 00:00:00", null)]
    [InlineData("2018-09-11 25:00:00", null)]
    [InlineData("10-XYZ-2018 19:27:52", null)]
    [InlineData("hello world", null)]
    [InlineData("20180911", null)]
    [InlineData("2018-09-11 09:11:02 trailing", null)]
    public void Should_parse_responsys_date_times_to_utc(string text, string? expectedUtc)
    {
        var parsed = ResponsysDateTime.TryParseUtc(text, out var utc);
        Assert.Equal(expectedUtc is not null, parsed);
        if (expectedUtc is not null) Assert.Equal(expectedUtc, utc.ToString("O"));
    }

    [Fact]
    public void Should_tell_whether_the_text_carried_an_offset()
    {
        Assert.True(ResponsysDateTime.TryParse("2018-09-11T09:11:02Z", out var withOffset, out var hasOffset));
        Assert.True(hasOffset);
        Assert.Equal(DateTimeKind.Utc, withOffset.Kind);
        Assert.True(ResponsysDateTime.TryParse("2018-09-11 09:11:02", out var wallClock, out hasOffset));
        Assert.False(hasOffset);
        Assert.Equal(DateTimeKind.Unspecified, wallClock.Kind);
    }
}
