using System.Text;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;

namespace ResponsysCluster.Csv.Tests;

/// <summary>A reader that reads only the selected columns: the others are as if the file did not have them.</summary>
public sealed class ColumnSelectionTests
{
    private static (IReadOnlyList<string> Header, List<string[]> Records) Read(string text, params string[] selected)
    {
        using var reader = ExportRecordReader.Open(new MemoryStream(Encoding.UTF8.GetBytes(text)), "/x/LIST.csv", new CsvFormat(',', ExportEncoding.Utf8));
        reader.SelectColumns(selected);
        var records = new List<string[]>();
        while (reader.Read())
        {
            var fields = new string[reader.FieldCount];
            for (var i = 0; i < fields.Length; i++) fields[i] = reader.Field(i).ToString();
            records.Add(fields);
        }
        return (reader.Header, records);
    }

    [Fact]
    public void Should_read_only_the_selected_columns_in_the_file_order_whatever_the_order_they_were_named_in()
    {
        var (header, records) = Read("A,B,C,D\n1,2,3,4\n5,6,7,8\n", "D", "B");

        Assert.Equal(["B", "D"], header);
        Assert.Equal([["2", "4"], ["6", "8"]], records);
    }

    [Fact]
    public void Should_keep_the_fields_beyond_the_header_as_extra_fields_after_the_selected_ones()
    {
        var (_, records) = Read("A,B,C\n1,2,3,x,y\n", "A");

        Assert.Equal(["1", "x", "y"], Assert.Single(records));
    }

    [Theory]
    [InlineData("1", new string[0])]
    [InlineData("1,2", new[] { "2" })]
    [InlineData("1,2,3", new[] { "2" })]
    [InlineData("1,2,3,4", new[] { "2", "4" })]
    public void Should_give_a_short_record_only_the_selected_fields_it_has(string record, string[] expected)
    {
        var (_, records) = Read("A,B,C,D\n" + record + "\n", "B", "D");

        Assert.Equal(expected, Assert.Single(records));
    }

    [Fact]
    public void Should_ignore_a_selected_name_the_header_lacks_and_read_no_column_when_none_is_there()
    {
        var (header, records) = Read("A,B\n1,2\n", "Z");

        Assert.Empty(header);
        Assert.Equal([[]], records);
    }
}
