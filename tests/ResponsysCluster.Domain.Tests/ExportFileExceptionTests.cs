using ResponsysCluster.Domain.Files;

namespace ResponsysCluster.Domain.Tests;

public sealed class ExportFileExceptionTests
{
    [Theory]
    [InlineData(null, null, "/x/LIST.csv: bad quote")]
    [InlineData(7L, null, "/x/LIST.csv: line 7: bad quote")]
    [InlineData(7L, 7L, "/x/LIST.csv: line 7: bad quote")]
    [InlineData(9L, 7L, "/x/LIST.csv: line 9 (record 7): bad quote")]
    [InlineData(null, 7L, "/x/LIST.csv: record 7: bad quote")]
    public void Should_name_the_file_and_the_line_or_record_it_knows(long? line, long? record, string message)
    {
        var inner = new FormatException("inner");
        var error = new ExportFileException("/x/LIST.csv", "bad quote", line, record, inner);
        Assert.Equal(message, error.Message);
        Assert.Equal(("/x/LIST.csv", "bad quote", line, record), (error.FilePath, error.Reason, error.Line, error.Record));
        Assert.Same(inner, error.InnerException);
    }
}
