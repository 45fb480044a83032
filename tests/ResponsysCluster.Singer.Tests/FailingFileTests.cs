using System.Text;
using System.Text.Json.Nodes;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Singer.Tests;

/// <summary>
/// Today's guarantee for a file that fails part-way: the RECORDs before the bad row are already emitted, no STATE
/// bookmarks the file, the exit code is non-zero, and the next run from the saved state emits those rows again.
/// </summary>
[Collection(SftpCollection.Name)]
public sealed class FailingFileTests(SftpServer server)
{
    private static readonly DateTimeOffset T = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);
    private const int GoodRows = 2000;
    private const string Failing = "LIST_20180911_01.csv";
    private const string Good = "LIST_20180911_02.csv";

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_emit_a_failing_files_rows_before_the_bad_one_without_bookmarking_it_and_emit_them_again_next_run()
    {
        var exports = server.CreateExportDirectory();
        // Rows 1..2000 are good; the next opens a quote it never closes, so the file fails there, with rows after it.
        var failing = new StringBuilder("ID,NAME\n");
        for (var i = 1; i <= GoodRows; i++) failing.Append(i).Append(",name-").Append(i).Append('\n');
        failing.Append(GoodRows + 1).Append(",\"unclosed\n");
        for (var i = GoodRows + 2; i <= GoodRows + 10; i++) failing.Append(i).Append(",after-").Append(i).Append('\n');
        exports.Write(Failing, failing.ToString(), T.AddMinutes(1));
        exports.WriteReady(Failing, "", T.AddMinutes(1));
        exports.Write(Good, "ID,NAME\n9001,good\n", T.AddMinutes(2));
        exports.WriteReady(Good, "1", T.AddMinutes(2));
        var harness = new TapHarness(server, exports);
        var catalog = await harness.SelectedCatalogAsync();
        var failingPath = exports.PathOf(Failing);

        var first = await harness.SyncAsync(catalog);

        Assert.Equal(1, first.ExitCode);
        Assert.Contains($"{failingPath}: line {GoodRows + 2}: malformed CSV", first.Log);
        var emitted = RecordsOf(first, failingPath);
        Assert.Equal(Enumerable.Range(1, GoodRows).Select(i => $"{i}|name-{i}|{i + 1}"), emitted);
        AssertNeverBookmarked(first, failingPath);
        Assert.Equal(["9001"], first.Records("LIST").Where(r => r["_sdc_source_file"]!.GetValue<string>() == exports.PathOf(Good))
            .Select(r => r["ID"]!.ToJsonString()));
        // The good file after it is bookmarked; the watermark stays below the failed file, so it is read again.
        var bookmark = first.FinalState["bookmarks"]!["LIST"]!;
        Assert.Contains(exports.PathOf(Good), bookmark["files_done"]!.ToJsonString());
        Assert.Equal("2018-01-01T00:00:00Z", bookmark["modified_since"]!.GetValue<string>());

        var second = await harness.SyncAsync(catalog, first.FinalState);

        Assert.Equal(1, second.ExitCode);
        Assert.Equal(emitted, RecordsOf(second, failingPath));
        Assert.Empty(RecordsOf(second, exports.PathOf(Good)));
        AssertNeverBookmarked(second, failingPath);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task With_validate_first_a_failing_file_emits_no_record_and_a_good_file_emits_the_same_records_as_without()
    {
        var exports = server.CreateExportDirectory();
        var failing = new StringBuilder("ID,NAME\n");
        for (var i = 1; i <= GoodRows; i++) failing.Append(i).Append(",name-").Append(i).Append('\n');
        failing.Append(GoodRows + 1).Append(",\"unclosed\n");
        exports.Write(Failing, failing.ToString(), T.AddMinutes(1));
        exports.WriteReady(Failing, "", T.AddMinutes(1));
        var good = new StringBuilder("ID,NAME\n");
        for (var i = 1; i <= GoodRows; i++) good.Append(9000 + i).Append(",good-").Append(i).Append('\n');
        exports.Write(Good, good.ToString(), T.AddMinutes(2));
        exports.WriteReady(Good, GoodRows.ToString(), T.AddMinutes(2));
        // A file whose count does not match fails only after its last row: nothing of it may be emitted either.
        exports.Write("LIST_20180911_03.csv", "ID,NAME\n1,a\n2,b\n", T.AddMinutes(3));
        exports.WriteReady("LIST_20180911_03.csv", "5", T.AddMinutes(3));
        var harness = new TapHarness(server, exports);
        var catalog = await harness.SelectedCatalogAsync();
        var plain = await harness.SyncAsync(catalog);

        harness.ValidateFirst = true;
        var validated = await harness.SyncAsync(catalog);

        Assert.Equal(1, validated.ExitCode);
        Assert.Contains($"{exports.PathOf(Failing)}: line {GoodRows + 2}: malformed CSV", validated.Log);
        Assert.Empty(RecordsOf(validated, exports.PathOf(Failing)));
        Assert.Empty(RecordsOf(validated, exports.PathOf("LIST_20180911_03.csv")));
        AssertNeverBookmarked(validated, exports.PathOf(Failing));
        var goodRecords = RecordsOf(validated, exports.PathOf(Good));
        Assert.Equal(GoodRows, goodRecords.Count);
        Assert.Equal(RecordsOf(plain, exports.PathOf(Good)), goodRecords);
        // The good file's records come before the STATE that bookmarks it, as without the option.
        var messages = validated.Messages;
        var lastGood = messages.FindLastIndex(m => m["type"]!.GetValue<string>() == "RECORD" && m["record"]!["_sdc_source_file"]!.GetValue<string>() == exports.PathOf(Good));
        var bookmarking = messages.FindIndex(m => m["type"]!.GetValue<string>() == "STATE" && m["value"]!.ToJsonString().Contains(exports.PathOf(Good)));
        Assert.InRange(lastGood, 0, bookmarking - 1);
        Assert.Empty(Directory.GetFiles(Path.GetTempPath(), "rsx-validate-*"));
    }

    /// <summary>The file's RECORDs as "ID|NAME|_sdc_source_lineno", in the order emitted.</summary>
    private static List<string> RecordsOf(TapRun run, string path) => run.Records("LIST")
        .Where(r => r["_sdc_source_file"]!.GetValue<string>() == path)
        .Select(r => $"{r["ID"]!.ToJsonString()}|{r["NAME"]!.GetValue<string>()}|{r["_sdc_source_lineno"]!.ToJsonString()}")
        .ToList();

    private static void AssertNeverBookmarked(TapRun run, string path)
    {
        Assert.NotEmpty(run.States);
        Assert.All(run.States, state =>
        {
            var bookmark = state["bookmarks"]?["LIST"] as JsonObject;
            Assert.DoesNotContain(path, bookmark?.ToJsonString() ?? "");
            if (bookmark?["modified_since"] is { } since)
                Assert.True(DateTimeOffset.Parse(since.GetValue<string>()) < T.AddMinutes(1), $"a STATE passed the failed file: {since}");
        });
    }
}
