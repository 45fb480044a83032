using System.Text;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;

namespace ResponsysCluster.Csv.Tests;

public sealed class ExportRecordReaderTests
{
    private const string Path = "/exports/20180911_LIST.csv";

    private static (IReadOnlyList<string> Header, List<(long Line, long SourceLine, string[] Fields)> Records) ReadAll(
        byte[] bytes, char delimiter = ',', ExportEncoding encoding = ExportEncoding.Utf8)
    {
        using var reader = ExportRecordReader.Open(new MemoryStream(bytes), Path, new CsvFormat(delimiter, encoding));
        var records = new List<(long, long, string[])>();
        while (reader.Read())
        {
            var fields = new string[reader.FieldCount];
            for (var i = 0; i < fields.Length; i++) fields[i] = reader.Field(i).ToString();
            records.Add((reader.LineNumber, reader.SourceLineNumber, fields));
        }
        return (reader.Header, records);
    }

    private static (IReadOnlyList<string> Header, List<(long Line, long SourceLine, string[] Fields)> Records) ReadAll(string text, char delimiter = ',') =>
        ReadAll(Encoding.UTF8.GetBytes(text), delimiter);

    [Fact]
    public void Should_unquote_delimiters_escaped_quotes_and_embedded_newlines()
    {
        var (header, records) = ReadAll("ID,NOTE,CITY\n1,\"a, b\",X\n2,\"say \"\"hi\"\"\",Y\n3,\"line one\nline two\",Z\n");
        Assert.Equal(["ID", "NOTE", "CITY"], header);
        Assert.Equal(["1", "a, b", "X"], records[0].Fields);
        Assert.Equal(["2", "say \"hi\"", "Y"], records[1].Fields);
        Assert.Equal(["3", "line one\nline two", "Z"], records[2].Fields);
    }

    [Fact]
    public void Should_count_records_not_lines_for_the_source_line_number()
    {
        var (_, records) = ReadAll("ID,NOTE\n1,\"two\nlines\"\n2,x\n");
        Assert.Equal([2L, 3L], records.Select(r => r.SourceLine));
        Assert.Equal([2L, 4L], records.Select(r => r.Line));
    }

    [Fact]
    public void Should_keep_a_bom_out_of_the_first_column_name()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("EMAIL,ID\na@b.c,1\n")).ToArray();
        var (header, records) = ReadAll(bytes);
        Assert.Equal("EMAIL", header[0]);
        Assert.Single(records);
    }

    [Fact]
    public void Should_expose_extra_fields_and_short_rows()
    {
        var (_, records) = ReadAll("A,B\n1,2,3,4\n5\n");
        Assert.Equal(["1", "2", "3", "4"], records[0].Fields);
        Assert.Equal(["5"], records[1].Fields);
    }

    [Fact]
    public void Should_skip_blank_lines_and_accept_crlf_and_a_missing_final_newline()
    {
        var (_, records) = ReadAll("A,B\r\n1,2\r\n\r\n3,4");
        Assert.Equal([["1", "2"], ["3", "4"]], records.Select(r => r.Fields));
        Assert.Equal([2L, 3L], records.Select(r => r.SourceLine));
        Assert.Equal([2L, 4L], records.Select(r => r.Line));
    }

    [Theory]
    [InlineData(';')]
    [InlineData('\t')]
    [InlineData('|')]
    public void Should_use_the_configured_delimiter(char delimiter)
    {
        var (header, records) = ReadAll($"A{delimiter}B\n1,5{delimiter}\"x{delimiter}y\"\n", delimiter);
        Assert.Equal(["A", "B"], header);
        Assert.Equal(["1,5", $"x{delimiter}y"], records[0].Fields);
    }

    [Fact]
    public void Should_read_latin1()
    {
        var (_, records) = ReadAll(Encoding.Latin1.GetBytes("NAME\nJosé Müller\n"), encoding: ExportEncoding.Latin1);
        Assert.Equal("José Müller", records[0].Fields[0]);
    }

    [Fact]
    public void Should_read_windows_1252()
    {
        // 0x80 is the euro sign in Windows-1252 and a control character in Latin-1.
        var (_, records) = ReadAll([.. "PRICE\n"u8, 0x80, .. "5\n"u8], encoding: ExportEncoding.Windows1252);
        Assert.Equal("€5", records[0].Fields[0]);
    }

    [Fact]
    public void Should_read_utf16_with_a_bom()
    {
        var bytes = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("NAME\nZoë\n")).ToArray();
        var (header, records) = ReadAll(bytes, encoding: ExportEncoding.Utf16);
        Assert.Equal(["NAME"], header);
        Assert.Equal("Zoë", records[0].Fields[0]);
    }

    [Fact]
    public void Should_name_file_line_and_reason_for_invalid_utf8()
    {
        var bytes = Encoding.UTF8.GetBytes("A,B\n1,ok\n2,").Concat(new byte[] { 0xC3, 0x28 }).Concat(Encoding.UTF8.GetBytes("\n")).ToArray();
        var error = Assert.Throws<ExportFileException>(() => ReadAll(bytes));
        Assert.Equal(Path, error.FilePath);
        Assert.Contains("not valid UTF-8", error.Reason);
        Assert.Equal(3, error.Record);
        Assert.Contains(Path, error.Message);
    }

    [Fact]
    public void Should_fail_an_unclosed_quote_with_its_line()
    {
        var error = Assert.Throws<ExportFileException>(() => ReadAll("A,B\n1,2\n\"open,3\n4,5\n"));
        Assert.Contains("malformed CSV", error.Reason);
        Assert.Equal(3, error.Line);
    }

    [Fact]
    public void Should_fail_text_after_a_closing_quote()
    {
        var error = Assert.Throws<ExportFileException>(() => ReadAll("A,B\n\"ab\"cd,2\n"));
        Assert.Contains("malformed CSV", error.Reason);
        Assert.Equal(2, error.Line);
    }

    [Theory]
    [InlineData("", "no header row")]
    [InlineData("\n\n", "header row is empty")]
    public void Should_fail_a_missing_header(string text, string reason)
    {
        var error = Assert.Throws<ExportFileException>(() => ReadAll(text));
        Assert.Contains("missing header", error.Reason);
        Assert.Contains(reason, error.Reason);
        Assert.Equal(1, error.Line);
    }

    [Theory]
    [InlineData("A,,C\n1,2,3\n", new[] { "A", "column_2", "C" })]
    [InlineData("A, ,C\n1,2,3\n", new[] { "A", "column_2", "C" })]
    [InlineData("ID,EMAIL,ID\n1,a,2\n", new[] { "ID", "EMAIL", "ID_2" })]
    [InlineData("ID,ID,ID\n1,2,3\n", new[] { "ID", "ID_2", "ID_3" })]
    [InlineData("ID,ID,ID_2\n1,2,3\n", new[] { "ID", "ID_3", "ID_2" })]
    [InlineData(",column_1\n1,2\n", new[] { "column_1_2", "column_1" })]
    public void Should_name_unnamed_and_repeated_columns_uniquely(string text, string[] header)
    {
        using var reader = ExportRecordReader.Open(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)), "/x/f.csv", new CsvFormat(',', ExportEncoding.Utf8));

        Assert.Equal(header, reader.Header);
        Assert.True(reader.Read());
        Assert.Equal("1", reader.Field(0).ToString());
    }

    [Fact]
    public void Should_read_fields_longer_than_the_read_buffer()
    {
        var longValue = new string('x', 300_000);
        var (_, records) = ReadAll($"A,B\n\"{longValue}\",2\n");
        Assert.Equal(longValue, records[0].Fields[0]);
    }

    [Fact]
    public void Should_count_every_record_of_a_large_file()
    {
        var text = new StringBuilder("ID,EMAIL\n");
        for (var i = 0; i < 50_000; i++) text.Append(i).Append(",user").Append(i).Append("@example.com\n");
        var (_, records) = ReadAll(text.ToString());
        Assert.Equal(50_000, records.Count);
        Assert.Equal("49999", records[^1].Fields[0]);
        Assert.Equal(50_001, records[^1].SourceLine);
    }
}
