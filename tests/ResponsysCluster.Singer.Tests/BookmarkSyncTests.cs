using System.Text.Json.Nodes;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Singer.Tests;

[Collection(SftpCollection.Name)]
public sealed class BookmarkSyncTests(SftpServer server)
{
    private static readonly DateTimeOffset T = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);

    private static string Rows(int first, int count) =>
        "ID,NAME\n" + string.Concat(Enumerable.Range(first, count).Select(i => $"{i},name-{i}\n"));

    private static JsonObject State(string table, string modifiedSince, JsonArray? filesDone = null)
    {
        var bookmark = new JsonObject { ["modified_since"] = modifiedSince };
        if (filesDone is not null) bookmark["files_done"] = filesDone;
        return new JsonObject { ["bookmarks"] = new JsonObject { [table] = bookmark } };
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_leave_a_file_without_ready_file_for_a_later_run_without_passing_it()
    {
        var exports = server.CreateExportDirectory();
        exports.Write("LIST_20180911_01.csv", Rows(1, 2), T.AddMinutes(1));
        exports.WriteReady("LIST_20180911_01.csv", "2", T.AddMinutes(1));
        exports.Write("LIST_20180911_02.csv", Rows(10, 3), T.AddMinutes(2));
        exports.Write("LIST_20180911_03.csv", Rows(20, 1), T.AddMinutes(3));
        exports.WriteReady("LIST_20180911_03.csv", "1", T.AddMinutes(3));
        var harness = new TapHarness(server, exports);
        harness.Config["ready_timeout"] = 1_000_000; // hours: these 2018 files are not abandoned
        var catalog = await harness.SelectedCatalogAsync();

        var first = await harness.SyncAsync(catalog);
        Assert.True(first.ExitCode == 0, first.Log);
        Assert.Equal(["1", "2", "20"], first.Records("LIST").Select(r => r["ID"]!.ToJsonString()));
        Assert.Contains("LIST_20180911_02.csv has no ready file yet", first.Log);
        var bookmark = first.FinalState["bookmarks"]!["LIST"]!;
        Assert.Equal("2018-09-11T09:01:00Z", bookmark["modified_since"]!.GetValue<string>());
        Assert.Contains(exports.Path + "/LIST_20180911_03.csv", bookmark["files_done"]!.ToJsonString());

        exports.WriteReady("LIST_20180911_02.csv", "3", T.AddMinutes(4));
        var second = await harness.SyncAsync(catalog, first.FinalState);
        Assert.True(second.ExitCode == 0, second.Log);
        Assert.Equal(["10", "11", "12"], second.Records("LIST").Select(r => r["ID"]!.ToJsonString()));
        Assert.Equal("2018-09-11T09:03:00Z", second.FinalState["bookmarks"]!["LIST"]!["modified_since"]!.GetValue<string>());

        var third = await harness.SyncAsync(catalog, second.FinalState);
        Assert.Empty(third.AllRecords);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_report_an_abandoned_file_and_let_the_bookmark_pass_it()
    {
        var exports = server.CreateExportDirectory();
        exports.Write("LIST_20180911_01.csv", Rows(1, 1), T.AddMinutes(1));
        exports.Write("LIST_20180911_02.csv", Rows(2, 1), T.AddMinutes(2));
        exports.WriteReady("LIST_20180911_02.csv", "", T.AddMinutes(2));
        var harness = new TapHarness(server, exports);
        harness.Config["ready_timeout"] = "24h";
        var run = await harness.SyncAsync(await harness.SelectedCatalogAsync());

        Assert.True(run.ExitCode == 0, run.Log);
        Assert.Contains("LIST_20180911_01.csv is abandoned", run.Log);
        Assert.Equal(["2"], run.Records("LIST").Select(r => r["ID"]!.ToJsonString()));
        Assert.Equal("2018-09-11T09:02:00Z", run.FinalState["bookmarks"]!["LIST"]!["modified_since"]!.GetValue<string>());
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_not_skip_a_file_sharing_its_mtime_second_after_a_stop()
    {
        var exports = server.CreateExportDirectory();
        foreach (var name in new[] { "LIST_20180911_01.csv", "LIST_20180911_02.csv" })
        {
            exports.Write(name, Rows(name.EndsWith("01.csv") ? 1 : 2, 1), T);
            exports.WriteReady(name, "1", T);
        }
        var harness = new TapHarness(server, exports);
        var catalog = await harness.SelectedCatalogAsync();
        var full = await harness.SyncAsync(catalog);
        Assert.Equal(2, full.Records("LIST").Count);

        // The state written after the first file is what a stop right there leaves behind.
        // The watermark cannot move onto a second that still holds a file to do; files_done records the first.
        var afterFirstFile = full.States[1];
        Assert.Equal("2018-01-01T00:00:00Z", afterFirstFile["bookmarks"]!["LIST"]!["modified_since"]!.GetValue<string>());
        Assert.Contains("LIST_20180911_01.csv", afterFirstFile["bookmarks"]!["LIST"]!["files_done"]!.ToJsonString());
        var resumed = await harness.SyncAsync(catalog, afterFirstFile);
        Assert.Equal(["2"], resumed.Records("LIST").Select(r => r["ID"]!.ToJsonString()));
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_read_state_written_by_tap_responsys()
    {
        var exports = server.CreateExportDirectory();
        exports.Write("LIST_20180911_01.csv", Rows(1, 1), T);
        exports.WriteReady("LIST_20180911_01.csv", "", T);
        exports.Write("LIST_20180911_02.csv", Rows(2, 1), T.AddSeconds(1));
        exports.WriteReady("LIST_20180911_02.csv", "", T);
        var harness = new TapHarness(server, exports);
        var run = await harness.SyncAsync(await harness.SelectedCatalogAsync(), State("LIST", "2018-09-11T09:00:00+00:00"));
        Assert.True(run.ExitCode == 0, run.Log);
        Assert.Equal(["2"], run.Records("LIST").Select(r => r["ID"]!.ToJsonString()));
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_start_at_the_start_date_inclusive()
    {
        var exports = server.CreateExportDirectory();
        exports.Write("LIST_20180911_01.csv", Rows(1, 1), T.AddSeconds(-1));
        exports.WriteReady("LIST_20180911_01.csv", "", T);
        exports.Write("LIST_20180911_02.csv", Rows(2, 1), T);
        exports.WriteReady("LIST_20180911_02.csv", "", T);
        var harness = new TapHarness(server, exports);
        harness.Config["start_date"] = "2018-09-11T09:00:00Z";
        var run = await harness.SyncAsync(await harness.SelectedCatalogAsync());
        Assert.Equal(["2"], run.Records("LIST").Select(r => r["ID"]!.ToJsonString()));
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_fail_a_record_count_mismatch_without_bookmarking_it_and_go_on()
    {
        var exports = server.CreateExportDirectory();
        exports.Write("LIST_20180911_01.csv", Rows(1, 3), T.AddMinutes(1));
        exports.WriteReady("LIST_20180911_01.csv", "5", T.AddMinutes(1));
        exports.Write("LIST_20180911_02.csv", Rows(10, 1), T.AddMinutes(2));
        exports.WriteReady("LIST_20180911_02.csv", "1", T.AddMinutes(2));
        var harness = new TapHarness(server, exports);
        var catalog = await harness.SelectedCatalogAsync();

        var first = await harness.SyncAsync(catalog);
        Assert.Equal(1, first.ExitCode);
        Assert.Contains($"{exports.Path}/LIST_20180911_01.csv: record count mismatch: the ready file LIST_20180911_01.ready says 5, the file holds 3 records", first.Log);
        Assert.Contains("10", first.Records("LIST").Select(r => r["ID"]!.ToJsonString()));
        var bookmark = first.FinalState["bookmarks"]!["LIST"]!;
        Assert.Equal("2018-01-01T00:00:00Z", bookmark["modified_since"]!.GetValue<string>());
        Assert.DoesNotContain("LIST_20180911_01.csv", bookmark["files_done"]!.ToJsonString());

        exports.WriteReady("LIST_20180911_01.csv", "3", T.AddMinutes(1));
        var second = await harness.SyncAsync(catalog, first.FinalState);
        Assert.True(second.ExitCode == 0, second.Log);
        Assert.Equal(["1", "2", "3"], second.Records("LIST").Select(r => r["ID"]!.ToJsonString()));
        Assert.Equal("2018-09-11T09:02:00Z", second.FinalState["bookmarks"]!["LIST"]!["modified_since"]!.GetValue<string>());
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_fail_a_malformed_file_with_its_line_and_go_on()
    {
        var exports = server.CreateExportDirectory();
        exports.Write("LIST_20180911_01.csv", "ID,NAME\n1,a\n2,\"unclosed\n3,c\n", T.AddMinutes(1));
        exports.WriteReady("LIST_20180911_01.csv", "", T.AddMinutes(1));
        exports.Write("OTHER_20180911.csv", Rows(7, 1), T.AddMinutes(2));
        exports.WriteReady("OTHER_20180911.csv", "", T.AddMinutes(2));
        var harness = new TapHarness(server, exports);
        var run = await harness.SyncAsync(await harness.SelectedCatalogAsync());

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{exports.Path}/LIST_20180911_01.csv: line 3: malformed CSV", run.Log);
        Assert.Single(run.Records("OTHER"));
        Assert.Equal("2018-09-11T09:02:00Z", run.FinalState["bookmarks"]!["OTHER"]!["modified_since"]!.GetValue<string>());
        Assert.Null(run.FinalState["bookmarks"]!["LIST"]?["files_done"]?.AsArray().FirstOrDefault());
    }
}
