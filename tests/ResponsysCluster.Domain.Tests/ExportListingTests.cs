using ResponsysCluster.Domain.Files;

namespace ResponsysCluster.Domain.Tests;

public sealed class ExportListingTests
{
    private static readonly DateTimeOffset T0 = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);

    private static RemoteFile File(string name, int minutes = 0, long size = 10) =>
        new("/exports/" + name, name, size, T0.AddMinutes(minutes));

    [Fact]
    public void Should_match_tables_with_either_ready_file_form()
    {
        var listing = ExportListing.From([
            File("20180911_CONTACT_LIST.csv"), File("20180911_CONTACT_LIST.ready", size: 0),
            File("CLICK_20180911.txt"), File("CLICK_20180911.txt.ready", size: 0),
        ]);
        Assert.Equal(["CLICK", "CONTACT_LIST"], listing.Tables);
    }

    [Fact]
    public void Should_not_discover_a_table_without_any_ready_file()
    {
        var listing = ExportListing.From([File("20180911_LIST.csv"), File("OTHER.csv"), File("OTHER.ready")]);
        Assert.Equal(["OTHER"], listing.Tables);
        Assert.Equal(["LIST"], listing.TablesWithoutReadyFiles);
    }

    [Fact]
    public void Should_never_give_a_table_the_files_of_a_longer_name()
    {
        var listing = ExportListing.From([
            File("20180911_LIST.csv"), File("20180911_LIST.ready"),
            File("20180911_CONTACT_LIST.csv"), File("20180911_CONTACT_LIST.ready"),
        ]);
        Assert.Equal(["/exports/20180911_LIST.csv"], listing.FilesOf("LIST").Select(f => f.File.Path));
        Assert.Equal(["/exports/20180911_CONTACT_LIST.csv"], listing.FilesOf("CONTACT_LIST").Select(f => f.File.Path));
    }

    [Fact]
    public void Should_order_a_tables_files_by_mtime_then_path()
    {
        var listing = ExportListing.From([
            File("LIST_20180913.csv", minutes: 5), File("LIST_20180912.csv", minutes: 5), File("LIST_20180911.csv", minutes: 9),
            File("LIST.ready"),
        ]);
        Assert.Equal(["LIST_20180912.csv", "LIST_20180913.csv", "LIST_20180911.csv"], listing.FilesOf("LIST").Select(f => f.File.Name));
    }

    [Fact]
    public void Should_tie_each_data_file_to_its_own_ready_file()
    {
        var listing = ExportListing.From([
            File("LIST_20180911.csv"), File("LIST_20180911.ready"), File("LIST_20180912.csv"),
        ]);
        var files = listing.FilesOf("LIST");
        Assert.True(files.Single(f => f.File.Name == "LIST_20180911.csv").IsReady);
        Assert.False(files.Single(f => f.File.Name == "LIST_20180912.csv").IsReady);
    }

    [Fact]
    public void Should_skip_empty_data_files_but_keep_empty_ready_files()
    {
        var listing = ExportListing.From([File("LIST_1.csv", size: 0), File("LIST_20180911.csv"), File("LIST_20180911.ready", size: 0)]);
        Assert.Equal(["LIST_20180911.csv"], listing.FilesOf("LIST").Select(f => f.File.Name));
        Assert.Equal(["LIST_1.csv"], listing.EmptyDataFiles.Select(f => f.Name));
    }
}
