using ResponsysCluster.Domain.Files;

namespace ResponsysCluster.Domain.Tests;

public sealed class ZipEntryNameTests
{
    private static readonly DateTimeOffset T = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);
    private static readonly RemoteFile Archive = new("/exports/LIST_20180911.zip", "LIST_20180911.zip", 4321, T);

    [Theory]
    [InlineData("/exports/LIST.zip!a.csv", "/exports/LIST.zip", "a.csv")]
    [InlineData("LIST.ZIP!part/b.txt", "LIST.ZIP", "part/b.txt")]
    [InlineData("LIST.csv.zip!x.zip!y.csv", "LIST.csv.zip", "x.zip!y.csv")]
    [InlineData(".zip!a.csv", ".zip", "a.csv")]
    public void Should_split_an_entry_at_the_first_zip_and_bang(string nameOrPath, string archive, string entry)
    {
        Assert.True(ZipEntryName.TrySplit(nameOrPath, out var foundArchive, out var foundEntry));
        Assert.Equal((archive, entry), (foundArchive, foundEntry));
        Assert.Equal(nameOrPath, ZipEntryName.Join(foundArchive, foundEntry));
    }

    [Theory]
    [InlineData("LIST.zip")]
    [InlineData("LIST.zip!")]
    [InlineData("LIST!a.csv")]
    [InlineData("LIST.csv")]
    public void Should_not_split_a_file_that_is_not_an_entry(string name)
    {
        Assert.False(ZipEntryName.TrySplit(name, out var archive, out var entry));
        Assert.Equal(("", ""), (archive, entry));
    }

    [Fact]
    public void Should_give_an_entry_the_archives_mtime_and_size_and_find_the_archive_back()
    {
        var entry = ZipEntryName.EntryOf(Archive, "b.csv");
        Assert.Equal(new RemoteFile("/exports/LIST_20180911.zip!b.csv", "LIST_20180911.zip!b.csv", 4321, T), entry);
        Assert.Equal(Archive, ZipEntryName.ArchiveOf(entry, out var name));
        Assert.Equal("b.csv", name);
        var refused = Assert.Throws<InvalidOperationException>(() => ZipEntryName.ArchiveOf(Archive, out _));
        Assert.Equal("'/exports/LIST_20180911.zip' is not a file inside a zip archive", refused.Message);
    }

    [Theory]
    [InlineData("LIST_20180911.zip!a.csv", "LIST", "a.csv")]
    [InlineData("20180911_LIST.csv.zip!dir/b.txt", "LIST", "dir/b.txt")]
    public void Should_take_the_archives_table_and_layers(string fileName, string table, string entry)
    {
        var name = ExportFileName.TryParse(fileName);
        Assert.Equal(table, name?.Table);
        Assert.Equal(entry, name?.ZipEntry);
        Assert.Equal(new ExportFileLayers(ExportCompression.Zip, false), name?.Layers);
    }

    [Fact]
    public void Should_give_an_entry_its_archives_ready_files()
    {
        Assert.Equal(ExportFileName.ReadyFileNamesFor("LIST_20180911.zip"), ExportFileName.ReadyFileNamesFor("LIST_20180911.zip!a.csv"));
    }

    [Fact]
    public void Should_list_every_entry_under_the_archives_table_with_its_ready_file()
    {
        var ready = new RemoteFile("/exports/LIST_20180911.zip.ready", "LIST_20180911.zip.ready", 0, T);
        var listing = ExportListing.From([ZipEntryName.EntryOf(Archive, "a.csv"), ZipEntryName.EntryOf(Archive, "b.csv"), ready]);
        var files = listing.FilesOf("LIST");
        Assert.Equal(["LIST_20180911.zip!a.csv", "LIST_20180911.zip!b.csv"], files.Select(f => f.File.Name));
        Assert.All(files, f => Assert.Equal(ready, f.ReadyFile));
    }

    [Fact]
    public void Should_not_check_an_archives_count_against_one_of_its_entries_and_say_so()
    {
        Assert.Equal(RecordCountOutcome.ArchiveCountNotChecked,
            ExportFileChecks.RequireRecordCount("/exports/LIST.zip!a.csv", "LIST.zip.ready", 99, 3));
        Assert.Contains("not checked", RecordCountCheck.Describe(RecordCountOutcome.ArchiveCountNotChecked, 3));
        Assert.Throws<ExportFileException>(() => ExportFileChecks.RequireRecordCount("/exports/LIST.zip", "LIST.zip.ready", 99, 3));
    }
}
