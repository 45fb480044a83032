using ResponsysCluster.TestServers;

namespace ResponsysCluster.Singer.Tests;

/// <summary>
/// A 0-byte data file is an export that lost its content when its ready file promises records (the count exists
/// to catch exactly that): it fails. With an empty ready file it is skipped, said so in the log, and bookmarked.
/// </summary>
[Collection(SftpCollection.Name)]
public sealed class EmptyDataFileTests(SftpServer server)
{
    private static readonly DateTimeOffset T = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_fail_an_empty_file_whose_ready_file_promises_records_and_skip_one_with_an_empty_ready_file_saying_so()
    {
        var exports = server.CreateExportDirectory();
        exports.Write("LIST_20180911_01.csv", "ID,NAME\n1,a\n", T);
        exports.WriteReady("LIST_20180911_01.csv", "1", T);
        exports.Write("LIST_20180911_02.csv", "", T.AddMinutes(1));
        exports.WriteReady("LIST_20180911_02.csv", "7", T.AddMinutes(1));
        exports.Write("LIST_20180911_03.csv", "", T.AddMinutes(2));
        exports.WriteReady("LIST_20180911_03.csv", "", T.AddMinutes(2));
        var harness = new TapHarness(server, exports);
        var catalog = await harness.SelectedCatalogAsync();

        var run = await harness.SyncAsync(catalog);

        Assert.True(run.ExitCode == 1, run.Log);
        Assert.Contains($"{exports.PathOf("LIST_20180911_02.csv")}: record count mismatch: the ready file LIST_20180911_02.ready says 7, the file is empty (0 bytes; the export is incomplete or was truncated)", run.Log);
        Assert.Contains($"Skipping {exports.PathOf("LIST_20180911_03.csv")}: empty data file (0 bytes)", run.Log);
        var done = run.FinalState["bookmarks"]!["LIST"]!["files_done"]!.ToJsonString();
        Assert.Contains(exports.PathOf("LIST_20180911_03.csv"), done);
        Assert.DoesNotContain(exports.PathOf("LIST_20180911_02.csv"), done);
        Assert.Single(run.Records("LIST"));
    }
}
