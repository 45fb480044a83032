using ResponsysCluster.Domain.Files;

namespace ResponsysCluster.Domain.Tests;

public sealed class ExportFileNameTests
{
    public static readonly string[] Stamps =
    [
        "20180911", "20180911_09", "20180911_0911", "20180911_091102",
        "2018-09-11", "2018-09-11_09", "2018-09-11_09-11", "2018-09-11_09-11-02",
    ];

    public static TheoryData<string, string> StampedNames()
    {
        var data = new TheoryData<string, string>();
        foreach (var stamp in Stamps)
        {
            foreach (var extension in new[] { ".csv", ".txt", ".CSV", ".Txt" })
            {
                data.Add(stamp + "prefix_table" + extension, "prefix_table");
                data.Add(stamp + "_PREFIX_SEPARATED" + extension, "PREFIX_SEPARATED");
                data.Add("suffix_table" + stamp + extension, "suffix_table");
                data.Add("SUFFIX-SEPARATED-" + stamp + extension, "SUFFIX-SEPARATED");
                data.Add(stamp + "both_table" + stamp + extension, "both_table");
                data.Add(stamp + "_BOTH_" + stamp + extension, "BOTH");
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(StampedNames))]
    public void Should_strip_every_date_form_as_prefix_suffix_and_both(string fileName, string table)
    {
        Assert.Equal(table, ExportFileName.TryParse(fileName)?.Table);
    }

    [Theory]
    [InlineData("not_a_timestamped_export.csv", "not_a_timestamped_export")]
    [InlineData("1234_CLICK_20190103_130532.txt", "1234_CLICK")]
    [InlineData("20190103_130532_1234_SENT.txt", "1234_SENT")]
    [InlineData("CONTACT_LIST_2018-09-11_09-11-02.csv", "CONTACT_LIST")]
    [InlineData("LIST_2018091112.csv", "LIST_2018091112")]
    [InlineData("ACCOUNT_1234567890.csv", "ACCOUNT_1234567890")]
    public void Should_find_the_table_name(string fileName, string table)
    {
        Assert.Equal(table, ExportFileName.TryParse(fileName)?.Table);
    }

    [Theory]
    [InlineData("201809111_LIST.csv", "201809111_LIST")]
    [InlineData("2018091112_CLICK.txt", "2018091112_CLICK")]
    [InlineData("2018-09-112_LIST.csv", "2018-09-112_LIST")]
    [InlineData("123456789LIST.csv", "123456789LIST")]
    [InlineData("20180911_0911023_LIST.csv", "0911023_LIST")]
    public void Should_never_read_a_stamp_prefix_that_borders_a_digit(string fileName, string table)
    {
        // A prefix is a stamp only when a non-digit follows it: the longest stamp that does is stripped, if any.
        Assert.Equal(table, ExportFileName.TryParse(fileName)?.Table);
    }

    [Theory]
    [InlineData("LIST_120180911.csv", "LIST_120180911")]
    [InlineData("LIST2018-09-11.csv", "LIST")]
    [InlineData("LIST_12018-09-11.csv", "LIST_12018-09-11")]
    public void Should_never_read_a_stamp_suffix_that_follows_a_digit(string fileName, string table)
    {
        Assert.Equal(table, ExportFileName.TryParse(fileName)?.Table);
    }

    [Theory]
    [InlineData("12345678its_some_file.wav")]
    [InlineData("12345678oops")]
    [InlineData("LIST.ready")]
    [InlineData("LIST.csv.ready")]
    [InlineData("LIST.gz")]
    [InlineData("LIST.zip.gz")]
    [InlineData("LIST.gpg")]
    [InlineData("LIST.csv.gz.ready")]
    [InlineData(".csv")]
    public void Should_ignore_names_that_are_not_exports(string fileName)
    {
        Assert.Null(ExportFileName.TryParse(fileName));
    }

    [Fact]
    public void Should_offer_both_ready_file_forms()
    {
        Assert.Equal(["20180911_LIST.ready", "20180911_LIST.csv.ready"], ExportFileName.ReadyFileNamesFor("20180911_LIST.csv"));
    }

    [Fact]
    public void Should_call_only_a_file_with_no_layer_plain()
    {
        Assert.Equal(new ExportFileLayers(ExportCompression.None, false), ExportFileLayers.Plain);
        Assert.True(ExportFileLayers.Plain.IsPlain);
        Assert.False(new ExportFileLayers(ExportCompression.None, true).IsPlain);
        Assert.False(new ExportFileLayers(ExportCompression.Gzip, false).IsPlain);
    }

    [Fact]
    public void Should_offer_both_ready_file_forms_for_a_name_that_is_no_export()
    {
        Assert.Equal(["LIST.ready", "LIST.dat.ready"], ExportFileName.ReadyFileNamesFor("LIST.dat"));
    }

    [Theory]
    [InlineData("X_20180911.csv.gz", "X", ExportCompression.Gzip, false)]
    [InlineData("X_20180911.TXT.GZ", "X", ExportCompression.Gzip, false)]
    [InlineData("X_20180911.zip", "X", ExportCompression.Zip, false)]
    [InlineData("20180911_X.csv.gpg", "X", ExportCompression.None, true)]
    [InlineData("X_20180911.csv.pgp", "X", ExportCompression.None, true)]
    [InlineData("X_20180911.zip.gpg", "X", ExportCompression.Zip, true)]
    [InlineData("X_20180911.csv.asc", "X", ExportCompression.None, true)]
    [InlineData("X_20180911.csv.gz.gpg", "X", ExportCompression.Gzip, true)]
    [InlineData("X_20180911.csv.zip", "X", ExportCompression.Zip, false)]
    [InlineData("X_20180911.csv", "X", ExportCompression.None, false)]
    public void Should_find_the_table_and_layers_of_compressed_and_encrypted_files(string fileName, string table, ExportCompression compression, bool encrypted)
    {
        var name = ExportFileName.TryParse(fileName);
        Assert.Equal(table, name?.Table);
        Assert.Equal(new ExportFileLayers(compression, encrypted), name?.Layers);
    }

    [Theory]
    [InlineData("X_20180911.csv.gz", new[] { "X_20180911.ready", "X_20180911.csv.ready", "X_20180911.csv.gz.ready" })]
    [InlineData("X_20180911.zip", new[] { "X_20180911.ready", "X_20180911.zip.ready" })]
    [InlineData("X_20180911.zip.gpg", new[] { "X_20180911.ready", "X_20180911.zip.ready", "X_20180911.zip.gpg.ready" })]
    [InlineData("A.B_20180911.csv.asc", new[] { "A.B_20180911.ready", "A.B_20180911.csv.ready", "A.B_20180911.csv.asc.ready" })]
    public void Should_offer_the_ready_files_of_every_extension_cut(string fileName, string[] readyFiles)
    {
        Assert.Equal(readyFiles, ExportFileName.ReadyFileNamesFor(fileName));
    }
}
