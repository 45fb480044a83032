using ResponsysCluster.TestServers;

namespace ResponsysCluster.Singer.Tests;

/// <summary>The tap discovers and emits the records of a gzipped export as of a plain one.</summary>
[Collection(SftpCollection.Name)]
public sealed class CompressedFileTapTests(SftpServer server)
{
    private static readonly DateTimeOffset T = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_discover_and_emit_the_records_of_a_gzip_file()
    {
        var exports = server.CreateExportDirectory();
        exports.WriteBytes("LIST_20180911.csv.gz", await ExportArchives.GzipAsync("ID,NAME\n1,a\n2,b\n3,c\n"), T);
        exports.WriteReady("LIST_20180911.csv.gz", "3", T);
        var harness = new TapHarness(server, exports);
        var catalog = await harness.SelectedCatalogAsync();

        var run = await harness.SyncAsync(catalog);

        Assert.True(run.ExitCode == 0, run.Log);
        var records = run.Records("LIST");
        Assert.Equal([1, 2, 3], records.Select(r => r["ID"]!.GetValue<long>()));
        Assert.All(run.SourceFiles("LIST"), f => Assert.Equal(exports.PathOf("LIST_20180911.csv.gz"), f));
        Assert.Contains(exports.PathOf("LIST_20180911.csv.gz"), run.FinalState["bookmarks"]!["LIST"]!.ToJsonString());
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_emit_each_file_of_a_zip_of_several_with_its_own_entry_path()
    {
        var exports = server.CreateExportDirectory();
        exports.WriteBytes("LIST_20180911.zip",
            await ExportArchives.ZipAsync(("a.csv", "ID,NAME\n1,a\n2,b\n"), ("b.csv", "ID,NAME\n3,c\n"), ("c.csv", "ID,NAME\n4,d\n5,e\n")), T);
        exports.Write("LIST_20180911.zip.ready", "5", T);
        var harness = new TapHarness(server, exports);
        var catalog = await harness.SelectedCatalogAsync();

        var run = await harness.SyncAsync(catalog);

        Assert.True(run.ExitCode == 0, run.Log);
        string Entry(string name) => exports.PathOf("LIST_20180911.zip") + "!" + name;
        Assert.Equal([(1, Entry("a.csv")), (2, Entry("a.csv")), (3, Entry("b.csv")), (4, Entry("c.csv")), (5, Entry("c.csv"))],
            run.Records("LIST").Select(r => (r["ID"]!.GetValue<long>(), r["_sdc_source_file"]!.GetValue<string>())));
        Assert.Contains("not checked against one of them", run.Log);
        Assert.Contains(Entry("c.csv"), run.FinalState["bookmarks"]!["LIST"]!.ToJsonString());
    }
}
