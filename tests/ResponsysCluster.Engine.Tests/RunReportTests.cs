using ResponsysCluster.Engine.Runs;

namespace ResponsysCluster.Engine.Tests;

public sealed class RunReportTests
{
    private static readonly Guid RunId = Guid.Parse("0b6f3c2e-6d1a-4a57-9d1e-2f7f3a0c9e11");
    private static readonly DateTimeOffset T = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);

    private static TableLoadReport Table(string name, int failed = 0, params string[] errors) =>
        new(name, 3, 1, failed, 2, 4, 1_500, 250, 123_456, TimeSpan.FromSeconds(2.5), errors);

    [Fact]
    public void Should_print_one_line_per_table_under_a_header_and_every_error()
    {
        var report = new RunReport("c1", RunId, T, TimeSpan.FromSeconds(12.34),
            [Table("CONTACT_LIST", 1, "/x/a.csv: record count mismatch"), Table("CLICK")], ["table NOPE has no ready file in /x"]);
        var lines = report.Format().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal($"Run {RunId} of connection c1: 12.3 s", lines[0]);
        Assert.Equal(["table", "files", "skipped", "failed", "waiting", "abandoned", "rows", "replaced", "bytes", "seconds"],
            lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["CONTACT_LIST", "3", "1", "1", "2", "4", "1500", "250", "123456", "2.5"], lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["CLICK", "3", "1", "0", "2", "4", "1500", "250", "123456", "2.5"], lines[3].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        // Columns line up under the header: each value ends where its heading ends.
        foreach (var heading in new[] { "files", "skipped", "abandoned", "rows", "seconds" })
            Assert.Equal(lines[1].IndexOf(heading, StringComparison.Ordinal) + heading.Length, ColumnEnd(lines, heading));
        Assert.Equal("error: table NOPE has no ready file in /x", lines[4]);
        Assert.Equal("error: /x/a.csv: record count mismatch", lines[5]);
        Assert.Equal(6, lines.Length);
    }

    /// <summary>Where the value under <paramref name="heading"/> ends on the first table's line.</summary>
    private static int ColumnEnd(string[] lines, string heading)
    {
        var index = Array.IndexOf(lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries), heading);
        var line = lines[2];
        var end = 0;
        for (var field = 0; field <= index; field++)
        {
            while (line[end] == ' ') end++;
            while (end < line.Length && line[end] != ' ') end++;
        }
        return end;
    }

    [Theory]
    [InlineData(0, 0, false)]
    [InlineData(1, 0, true)]
    [InlineData(0, 1, true)]
    public void Should_count_as_failed_when_the_run_or_any_file_failed(int runErrors, int filesFailed, bool failed)
    {
        var report = new RunReport("c1", RunId, T, TimeSpan.Zero, [Table("A"), Table("B", filesFailed)],
            Enumerable.Repeat("run error", runErrors).ToList());
        Assert.Equal(failed, report.HasFailures);
    }
}
