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
    public void Should_list_empty_data_files_with_their_table_and_keep_empty_ready_files()
    {
        var listing = ExportListing.From([File("LIST_1.csv", size: 0), File("LIST_20180911.csv"), File("LIST_20180911.ready", size: 0)]);
        Assert.Equal(["LIST_20180911.csv"], listing.FilesOf("LIST").Select(f => f.File.Name));
        Assert.Equal(["LIST_1.csv"], listing.FilesOf("LIST_1").Select(f => f.File.Name));
        Assert.NotNull(listing.FilesOf("LIST").Single().ReadyFile);
        Assert.Equal(["LIST_1.csv"], listing.EmptyDataFiles.Select(f => f.Name));
    }

    [Fact]
    public void Should_prefer_the_name_ready_form_when_both_ready_files_exist()
    {
        var listing = ExportListing.From([File("LIST_20180911.csv"), File("LIST_20180911.csv.ready"), File("LIST_20180911.ready")]);
        Assert.Equal("LIST_20180911.ready", listing.FilesOf("LIST").Single().ReadyFile?.Name);
    }

    [Fact]
    public void Should_tie_a_data_file_to_its_name_csv_ready_file_alone()
    {
        var listing = ExportListing.From([File("LIST_20180911.csv"), File("LIST_20180911.csv.ready")]);
        Assert.Equal("/exports/LIST_20180911.csv.ready", listing.FilesOf("LIST").Single().ReadyFile?.Path);
    }

    [Fact]
    public void Should_list_each_table_once_in_ordinal_order_with_all_its_files()
    {
        var listing = ExportListing.From([
            File("b_20180911.csv"), File("b_20180911.ready"),
            File("B_20180912.csv"), File("B_20180912.ready"),
            File("a_20180911.csv"), File("a_20180912.csv"), File("a_20180912.ready"),
            File("Z_20180911.csv"),
            File("C_20180911.csv"),
        ]);
        Assert.Equal(["B", "a", "b"], listing.Tables);
        Assert.Equal(["C", "Z"], listing.TablesWithoutReadyFiles);
        Assert.Equal(["a_20180911.csv", "a_20180912.csv"], listing.FilesOf("a").Select(f => f.File.Name));
        Assert.All(listing.FilesOf("a"), f => Assert.Equal("a", f.Table));
    }

    [Fact]
    public void Should_ignore_files_that_are_not_exports()
    {
        var listing = ExportListing.From([
            File("notes.md"), File("archive.tar.gz"), File("LIST.ready"), File("ORPHAN.csv.ready"),
        ]);
        Assert.Empty(listing.Tables);
        Assert.Empty(listing.TablesWithoutReadyFiles);
        Assert.Empty(listing.EmptyDataFiles);
    }

    [Fact]
    public void Should_group_compressed_and_encrypted_files_with_the_plain_ones_of_their_table()
    {
        var listing = ExportListing.From([
            File("LIST_20180911.csv.gz"), File("LIST_20180911.ready"),
            File("LIST_20180912.zip"), File("LIST_20180912.zip.ready"),
            File("LIST_20180913.csv.gpg"), File("LIST_20180913.csv.gpg.ready"),
        ]);
        Assert.Equal(["LIST"], listing.Tables);
        Assert.Equal(["LIST_20180911.ready", "LIST_20180912.zip.ready", "LIST_20180913.csv.gpg.ready"],
            listing.FilesOf("LIST").Select(f => f.ReadyFile?.Name));
    }

    [Fact]
    public void Should_give_no_files_for_an_unknown_table()
    {
        var listing = ExportListing.From([File("LIST.csv"), File("LIST.ready")]);
        Assert.Empty(listing.FilesOf("OTHER"));
        Assert.Empty(listing.FilesOf("list"));
    }

    [Fact]
    public void Should_make_a_table_of_an_empty_data_file_with_its_ready_file_so_that_its_count_is_checked()
    {
        var listing = ExportListing.From([File("LIST_20180911.csv", size: 0), File("LIST_20180911.ready")]);
        Assert.Equal(["LIST"], listing.Tables);
        Assert.Equal("LIST_20180911.ready", Assert.Single(listing.FilesOf("LIST")).ReadyFile?.Name);
        Assert.Equal(["LIST_20180911.csv"], listing.EmptyDataFiles.Select(f => f.Name));
    }

    [Theory]
    [InlineData(0, "/x/a.csv", 0, "/x/a.csv", 0)]
    [InlineData(0, "/x/a.csv", 0, "/x/b.csv", -1)]
    [InlineData(0, "/x/b.csv", 0, "/x/a.csv", 1)]
    [InlineData(0, "/x/B.csv", 0, "/x/a.csv", -1)]
    [InlineData(0, "/x/z.csv", 1, "/x/a.csv", -1)]
    [InlineData(1, "/x/a.csv", 0, "/x/z.csv", 1)]
    public void Should_compare_files_by_mtime_then_ordinal_path(int secondsA, string pathA, int secondsB, string pathB, int sign)
    {
        var a = new RemoteFile(pathA, pathA[3..], 1, T0.AddSeconds(secondsA));
        var b = new RemoteFile(pathB, pathB[3..], 1, T0.AddSeconds(secondsB));
        Assert.Equal(sign, Math.Sign(ExportListing.CompareByModifiedThenPath(a, b)));
    }
}
