using System.Text;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;

namespace ResponsysCluster.Csv.Tests;

/// <summary>
/// A NUL in a file the loader reads (<see cref="CsvFormat.RejectNul"/>) fails the file with its physical line,
/// record, column and the NUL's byte offset in the file, in every encoding a connection may name; without the
/// option (the tap) the NUL is passed on as data.
/// </summary>
public sealed class NulCharacterTests
{
    private const string Path = "/exports/20180911_LIST.csv";

    private static ExportFileException ReadFails(byte[] bytes, ExportEncoding encoding = ExportEncoding.Utf8, char delimiter = ',')
    {
        return Assert.Throws<ExportFileException>(() =>
        {
            using var reader = ExportRecordReader.Open(new MemoryStream(bytes), Path, new CsvFormat(delimiter, encoding) { RejectNul = true });
            while (reader.Read()) { }
        });
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void Should_name_the_file_line_record_column_and_byte_offset_of_a_nul_in_a_field()
    {
        var bytes = Utf8("ID,EMAIL,CITY\n1,a@x.com,Paris\n2,b@x\0.com,Lyon\n");

        var error = ReadFails(bytes);

        Assert.Equal(Path, error.FilePath);
        Assert.Equal(3, error.Line);
        Assert.Equal(3, error.Record);
        Assert.Equal(35, Array.IndexOf(bytes, (byte)0));
        Assert.Contains("column 2 ('EMAIL') on line 3, at byte offset 35 of the file", error.Reason);
        Assert.StartsWith($"{Path}: line 3: a NUL character", error.Message);
    }

    [Fact]
    public void Should_count_bytes_not_characters_when_multi_byte_utf8_comes_before_the_nul()
    {
        // "Zoë" is 4 bytes, "東京" 6, "€" 3: the offset is in bytes, as a hex editor or `cmp` shows it.
        var bytes = Utf8("ID,NAME,CITY\n1,Zoë,東京\n2,€\0,X\n");

        var error = ReadFails(bytes);

        Assert.Equal(Array.IndexOf(bytes, (byte)0), ByteOffset(error));
        Assert.Equal(32, ByteOffset(error));
        Assert.Contains("column 2 ('NAME')", error.Reason);
        Assert.Equal(3, error.Line);
    }

    [Fact]
    public void Should_give_the_physical_line_of_the_nul_inside_a_quoted_field_spanning_lines()
    {
        var bytes = Utf8("ID,NOTE\n1,\"first\nsecond\"\n2,\"one\ntwo\nth\0ree\"\n3,x\n");

        var error = ReadFails(bytes);

        // The record starts on line 4 (after the two-line record 2); its NUL is on line 6.
        Assert.Equal(4, error.Line);
        Assert.Equal(3, error.Record);
        Assert.Contains("column 2 ('NOTE') on line 6", error.Reason);
        Assert.Equal(Array.IndexOf(bytes, (byte)0), ByteOffset(error));
    }

    [Fact]
    public void Should_count_the_bom_in_the_byte_offset()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Utf8("ID,NAME\n1,a\0b\n")).ToArray();

        var error = ReadFails(bytes);

        Assert.Equal(14, ByteOffset(error));
        Assert.Equal(0, bytes[14]);
        Assert.Contains("column 2 ('NAME')", error.Reason);
    }

    [Theory]
    [InlineData(ExportEncoding.Latin1)]
    [InlineData(ExportEncoding.Windows1252)]
    public void Should_find_the_nul_in_single_byte_encodings_after_non_ascii_letters(ExportEncoding encoding)
    {
        // é (0xE9) and ü (0xFC) are one byte each in both.
        var bytes = Encoding.Latin1.GetBytes("ID,NAME,CITY\n1,Désirée,Zürich\n2,x,Ber\0n\n");

        var error = ReadFails(bytes, encoding);

        Assert.Equal(Array.IndexOf(bytes, (byte)0), ByteOffset(error));
        Assert.Equal(37, ByteOffset(error));
        Assert.Contains("column 3 ('CITY') on line 3", error.Reason);
        Assert.Equal(3, error.Record);
    }

    [Fact]
    public void Should_find_the_two_byte_nul_of_utf16_behind_the_zero_bytes_of_ascii_text()
    {
        // In UTF-16 every ASCII letter carries a zero byte; only an aligned pair of zeros is a NUL.
        var bytes = new UnicodeEncoding(bigEndian: false, byteOrderMark: true).GetPreamble()
            .Concat(Encoding.Unicode.GetBytes("ID,NAME\n1,Zoë\n2,a\0b\n")).ToArray();

        var error = ReadFails(bytes, ExportEncoding.Utf16);

        // BOM (2) + 17 characters before the NUL, 2 bytes each.
        Assert.Equal(2 + 17 * 2, ByteOffset(error));
        Assert.Equal([0, 0], bytes[36..38]);
        Assert.Contains("column 2 ('NAME') on line 3", error.Reason);
    }

    [Fact]
    public void Should_find_a_utf16_nul_whose_bytes_arrive_in_two_reads()
    {
        var text = "ID,NAME\n" + string.Concat(Enumerable.Range(0, 5000).Select(i => $"{i},name {i}\n")) + "5000,a\0b\n";
        var bytes = new UnicodeEncoding(bigEndian: false, byteOrderMark: true).GetPreamble().Concat(Encoding.Unicode.GetBytes(text)).ToArray();
        var expected = 2 + text.IndexOf('\0') * 2;

        var error = Assert.Throws<ExportFileException>(() =>
        {
            using var reader = ExportRecordReader.Open(new OddReads(bytes), Path, new CsvFormat(',', ExportEncoding.Utf16) { RejectNul = true });
            while (reader.Read()) { }
        });

        Assert.Equal(expected, ByteOffset(error));
        Assert.Equal(5002, error.Record);
    }

    [Fact]
    public void Should_name_a_nul_in_the_header_on_line_1()
    {
        var error = ReadFails(Utf8("ID,NA\0ME\n1,a\n"));

        Assert.Equal(1, error.Line);
        Assert.Null(error.Record);
        Assert.Contains("column 2", error.Reason);
        Assert.Contains("byte offset 5", error.Reason);
    }

    [Fact]
    public void Should_name_a_nul_in_a_field_beyond_the_header()
    {
        var error = ReadFails(Utf8("ID,NAME\n1,a,extra\0\n"));

        Assert.Contains("column 3 (beyond the header's 2)", error.Reason);
        Assert.Contains("byte offset 17", error.Reason);
    }

    [Fact]
    public void Should_fail_on_the_first_nul_when_a_file_holds_several()
    {
        var bytes = Utf8("ID,A,B\n1,x,y\n2,\0,\0\n3,\0,z\n");

        var error = ReadFails(bytes);

        Assert.Equal(Array.IndexOf(bytes, (byte)0), ByteOffset(error));
        Assert.Contains("column 2 ('A')", error.Reason);
        Assert.Equal(3, error.Record);
    }

    [Fact]
    public void Should_pass_a_nul_on_as_data_when_not_asked_to_reject_it()
    {
        using var reader = ExportRecordReader.Open(new MemoryStream(Utf8("ID,NAME\n1,a\0b\n")), Path, new CsvFormat(',', ExportEncoding.Utf8));

        Assert.True(reader.Read());
        Assert.Equal("a\0b", reader.Field(1).ToString());
    }

    [Fact]
    public void Should_read_a_file_without_nul_exactly_as_without_the_option()
    {
        var bytes = Utf8("ID,NOTE\n1,\"two\nlines\"\n2,Zoë\n\n3,x\n");
        static List<string> All(byte[] bytes, bool reject)
        {
            using var reader = ExportRecordReader.Open(new MemoryStream(bytes), Path, new CsvFormat(',', ExportEncoding.Utf8) { RejectNul = reject });
            var fields = new List<string>();
            while (reader.Read()) fields.Add($"{reader.LineNumber}:{reader.SourceLineNumber}:{reader.Field(0)}|{reader.Field(1)}");
            return fields;
        }

        Assert.Equal(All(bytes, reject: false), All(bytes, reject: true));
        Assert.Equal(3, All(bytes, reject: true).Count);
    }

    private static long ByteOffset(ExportFileException error)
    {
        var match = System.Text.RegularExpressions.Regex.Match(error.Reason, @"byte offset (\d+)");
        Assert.True(match.Success, error.Reason);
        return long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Hands out an odd number of bytes per read, so two-byte characters straddle reads.</summary>
    private sealed class OddReads(byte[] content) : MemoryStream(content)
    {
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 997)]);

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 997));
    }
}
