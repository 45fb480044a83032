
namespace ResponsysCluster.Domain.Tests;

public sealed class IsoTimestampTests
{
    [Theory]
    [InlineData("2018-09-11T09:11:02Z", "2018-09-11T09:11:02.0000000+00:00")]
    [InlineData(" 2018-09-11T09:11:02 ", "2018-09-11T09:11:02.0000000+00:00")]
    [InlineData("2018-09-11", "2018-09-11T00:00:00.0000000+00:00")]
    [InlineData("2018-09-11T09:11:02+02:00", "2018-09-11T07:11:02.0000000+00:00")]
    public void Should_read_timestamps_as_utc_and_a_missing_offset_as_utc(string text, string expected)
    {
        Assert.True(IsoTimestamp.TryParse(text, out var value));
        Assert.Equal(expected, value.ToString("O"));
    }

    [Fact]
    public void Should_refuse_text_that_is_not_a_timestamp()
    {
        Assert.False(IsoTimestamp.TryParse("yesterday", out _));
    }

    [Theory]
    [InlineData("2018-09-11T09:11:02Z", "2018-09-11T09:11:02Z")]
    [InlineData("2018-09-11T11:11:02.5+02:00", "2018-09-11T09:11:02.5Z")]
    [InlineData("2018-09-11T09:11:02.1234567Z", "2018-09-11T09:11:02.1234567Z")]
    public void Should_write_state_timestamps_in_utc_with_a_fraction_only_when_there_is_one(string value, string expected)
    {
        Assert.True(IsoTimestamp.TryParse(value, out var parsed));
        Assert.Equal(expected, IsoTimestamp.Format(parsed));
    }
}
