using System.Text.Json.Nodes;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Singer.Tests;

/// <summary>Inputs the tap must refuse, or check, saying exactly what is wrong: a host, a ready file's count, a state.</summary>
[Collection(SftpCollection.Name)]
public sealed class TapInputErrorTests(SftpServer server)
{
    private static readonly DateTimeOffset T = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);

    private (ExportDirectory Exports, TapHarness Harness) ListWithOneFile(string readyContent)
    {
        var exports = server.CreateExportDirectory();
        exports.Write("LIST_20180911_01.csv", "ID,NAME\n1,a\n2,b\n", T);
        exports.WriteReady("LIST_20180911_01.csv", readyContent, T);
        return (exports, new TapHarness(server, exports));
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task An_unknown_host_is_named_in_the_error_and_exits_with_code_2()
    {
        var (_, harness) = ListWithOneFile("2");
        harness.Config["host"] = "no-such-host.invalid";
        var run = await harness.DiscoverAsync();
        Assert.True(run.ExitCode == 2, run.Log);
        Assert.Contains("Critical: Could not connect to SFTP no-such-host.invalid:", run.Log);
        Assert.Equal("", run.Stdout);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task A_ready_count_above_the_largest_64_bit_integer_fails_the_file_naming_the_count()
    {
        var (exports, harness) = ListWithOneFile("2");
        var catalog = await harness.SelectedCatalogAsync();
        exports.WriteReady("LIST_20180911_01.csv", "18446744073709551616", T);

        var run = await harness.SyncAsync(catalog);

        Assert.True(run.ExitCode == 1, run.Log);
        Assert.Contains("the ready file LIST_20180911_01.ready says 18446744073709551616 records, more than any file can hold", run.Log);
        Assert.Empty(run.Records("LIST"));
        Assert.DoesNotContain("files_done", run.FinalState.ToJsonString());
    }

    [Theory(Timeout = Timeouts.EndToEnd)]
    [InlineData("""{"bookmarks": {"LIST": {"modified_since": 12}}}""", "'LIST.modified_since'")]
    [InlineData("""{"bookmarks": {"LIST": {"modified_since": "2018-09-11T09:00:00Z", "files_done": "x"}}}""", "'LIST.files_done'")]
    [InlineData("""{"bookmarks": {"LIST": {"modified_since": "2018-09-11T09:00:00Z", "files_done": [{"path": 5, "modified": "2018-09-11T09:00:00Z"}]}}}""", "'LIST.files_done'")]
    [InlineData("""{"bookmarks": {"LIST": "2018-09-11T09:00:00Z"}}""", "'LIST'")]
    public async Task A_state_with_a_value_of_the_wrong_kind_is_a_clear_error_naming_the_key(string state, string key)
    {
        var (_, harness) = ListWithOneFile("2");
        var catalog = await harness.SelectedCatalogAsync();

        var run = await harness.SyncAsync(catalog, JsonNode.Parse(state)!.AsObject());

        Assert.True(run.ExitCode == 2, run.Log);
        Assert.Contains($"State bookmark {key}", run.Log);
        Assert.DoesNotContain("RECORD", run.Stdout);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task The_log_says_which_count_the_ready_file_matched()
    {
        var exports = server.CreateExportDirectory();
        exports.Write("LIST_20180911_01.csv", "ID\n1\n2\n", T);
        exports.WriteReady("LIST_20180911_01.csv", "2", T);
        exports.Write("LIST_20180911_02.csv", "ID\n3\n4\n", T.AddMinutes(1));
        exports.WriteReady("LIST_20180911_02.csv", "3", T.AddMinutes(1));
        var harness = new TapHarness(server, exports);

        var run = await harness.SyncAsync(await harness.SelectedCatalogAsync());

        Assert.True(run.ExitCode == 0, run.Log);
        Assert.Contains($"{exports.PathOf("LIST_20180911_01.csv")}: 2 records (the ready file's count 2 matches the records without the header row)", run.Log);
        Assert.Contains($"{exports.PathOf("LIST_20180911_02.csv")}: 2 records (the ready file's count 3 matches the records with the header row)", run.Log);
    }
}
