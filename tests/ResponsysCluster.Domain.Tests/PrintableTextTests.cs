using ResponsysCluster.Domain;
using ResponsysCluster.Domain.Files;

namespace ResponsysCluster.Domain.Tests;

public sealed class PrintableTextTests
{
    [Theory]
    [InlineData("LIST_20180911.csv", "LIST_20180911.csv")]
    [InlineData("NL\nTABLE", "NL\\nTABLE")]
    [InlineData("a\rb\tc", "a\\rb\\tc")]
    [InlineData("RED\u001b[31mX", "RED\\x1b[31mX")]
    [InlineData("del\u007f", "del\\x7f")]
    [InlineData("c1\u009b31m", "c1\\u009b31m")]
    [InlineData("c1\u008031m", "c1\\u008031m")]
    [InlineData("line\u2028sep", "line\\u2028sep")]
    [InlineData("BAD\uFFFD_é", "BAD\uFFFD_é")]
    public void Control_characters_are_escaped_and_everything_else_kept(string text, string shown) =>
        Assert.Equal(shown, PrintableText.Escape(text));

    [Theory]
    [InlineData("NL\nTABLE_20180911.csv", "NL\nTABLE")]
    [InlineData("LIST_20180911.csv\n", null)]
    public void A_newline_in_a_file_name_is_part_of_the_name(string name, string? table) =>
        Assert.Equal(table, ExportFileName.TryParse(name)?.Table);
}
