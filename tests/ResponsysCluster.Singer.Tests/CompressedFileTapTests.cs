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
}
