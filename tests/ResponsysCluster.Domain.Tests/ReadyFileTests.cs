using ResponsysCluster.Domain.Files;

namespace ResponsysCluster.Domain.Tests;

public sealed class ReadyFileTests
{
    [Theory]
    [InlineData("1000", 1000L)]
    [InlineData("  42\n", 42L)]
    [InlineData("\uFEFF7\r\n", 7L)]
    [InlineData("", null)]
    [InlineData("   ", null)]
    [InlineData("done", null)]
    [InlineData("-5", null)]
    [InlineData("12 records", null)]
    public void Should_read_a_record_count_or_a_plain_marker(string content, long? expected)
    {
        Assert.Equal(expected, ReadyFileContent.RecordCount(content));
    }

    [Theory]
    [InlineData("9223372036854775808")]
    [InlineData("18446744073709551616\n")]
    public void A_count_above_the_largest_64_bit_integer_is_too_large_never_a_marker(string content)
    {
        var error = Assert.Throws<ReadyFileCountTooLargeException>(() => ReadyFileContent.RecordCount(content));
        Assert.Equal(content.Trim(), error.Count);
        Assert.Equal($"the record count {content.Trim()} is larger than any file can hold", error.Message);
    }

    [Theory]
    [InlineData(null, 10L, RecordCountOutcome.NoCount)]
    [InlineData(10L, 10L, RecordCountOutcome.MatchesRecords)]
    [InlineData(11L, 10L, RecordCountOutcome.MatchesRecordsAndHeader)]
    [InlineData(12L, 10L, RecordCountOutcome.Mismatch)]
    [InlineData(9L, 10L, RecordCountOutcome.Mismatch)]
    [InlineData(0L, 0L, RecordCountOutcome.MatchesRecords)]
    public void Should_accept_the_count_with_or_without_the_header(long? expected, long read, RecordCountOutcome outcome)
    {
        Assert.Equal(outcome, RecordCountCheck.Check(expected, read));
    }
}
