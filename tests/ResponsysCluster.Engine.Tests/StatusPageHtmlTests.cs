using ResponsysCluster.Node.Api;
using ResponsysCluster.Postgres;

namespace ResponsysCluster.Engine.Tests;

/// <summary>The status page's HTML from a status read, without a node: lags, encoding, and what could not be read.</summary>
public sealed class StatusPageHtmlTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly MemberLine Self = new("akka.tcp://responsys-cluster@127.0.0.1:4053", "a", "Up", true, true);

    private static NodeStatus Status(IReadOnlyList<ConnectionLine>? connections = null, IReadOnlyDictionary<string, LastRun>? lastRuns = null,
        IReadOnlyList<LoadedTable>? tables = null, IReadOnlyList<string>? unread = null) =>
        new(Now, Self, [Self], connections ?? [], lastRuns ?? new Dictionary<string, LastRun>(), tables ?? [], unread ?? []);

    private static LoadedTable Table(string table, string path, DateTimeOffset newest) =>
        new("c1", table, 2, 5, 0, path, Now.AddMinutes(-1), "a", newest);

    [Theory]
    [InlineData(0, "0 s")]
    [InlineData(59.9, "59 s")]
    [InlineData(60, "1 min 00 s")]
    [InlineData(3_599, "59 min 59 s")]
    [InlineData(3_600, "1 h 00 min")]
    [InlineData(3 * 3_600 + 5 * 60 + 59, "3 h 05 min")]
    [InlineData(86_400, "1 d 00 h")]
    [InlineData(2_637 * 86_400 + 15 * 3_600 + 1_800, "2637 d 15 h")]
    [InlineData(-5, "-5 s")]
    public void Should_write_a_lag_in_its_two_largest_units_of_whole_seconds(double seconds, string text) =>
        Assert.Equal(text, ElapsedText.Of(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Should_show_a_table_s_lag_as_the_age_of_its_newest_file_loaded_when_read()
    {
        var html = StatusPageHtml.Render(Status(tables: [Table("LIST", "/x/LIST.csv", Now.AddHours(-3).AddMinutes(-5))]), 10);

        var table = Assert.Single(StatusPageDom.Rows(html, "tables"));
        Assert.Equal(("3 h 05 min", "2026-11-30 08:55:00Z"), (table["lag"], table["newest-modified"]));
    }

    [Fact]
    public void Should_encode_names_so_that_a_file_or_table_name_can_neither_add_markup_nor_a_line()
    {
        var hostile = Table("<script>alert(1)</script>", "/x/NL\nA&B\"<b>.csv", Now);
        var html = StatusPageHtml.Render(Status(
            connections: [new ConnectionLine("c1\"><i>x</i>", false)],
            lastRuns: new Dictionary<string, LastRun> { ["c1\"><i>x</i>"] = new("failed", Now, Now, 0, ["<img src=x> failed"]) },
            tables: [hostile]), 10);

        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("<i>", html);
        Assert.DoesNotContain("<img", html);
        Assert.Contains("/x/NL\\nA&amp;B&quot;&lt;b&gt;.csv", html);
        var table = Assert.Single(StatusPageDom.Rows(html, "tables"));
        Assert.Equal(("<script>alert(1)</script>", "/x/NL\\nA&B\"<b>.csv"), (table["table"], table["last-file"]));
        Assert.Equal("<img src=x> failed", Assert.Single(StatusPageDom.Rows(html, "connections"))["errors"]);
    }

    [Fact]
    public void Should_say_what_could_not_be_read_and_mark_the_last_runs_unknown_rather_than_never_run()
    {
        var html = StatusPageHtml.Render(new NodeStatus(Now, Self, [Self], [new ConnectionLine("c1", true)], null, null,
            ["Not shown: PostgreSQL (the tables loaded) did not answer within 3 s."]), 10);

        Assert.Equal(["Not shown: PostgreSQL (the tables loaded) did not answer within 3 s."], StatusPageDom.Unread(html));
        var connection = Assert.Single(StatusPageDom.Rows(html, "connections"));
        Assert.Equal(("paused", "unknown"), (connection["schedule"], connection["run"]));
        Assert.DoesNotContain("<table id=\"tables\">", html);
    }

    [Fact]
    public void Should_show_a_run_going_without_rows_and_a_connection_that_never_ran_as_such()
    {
        var html = StatusPageHtml.Render(Status(
            connections: [new ConnectionLine("going", false), new ConnectionLine("new", false)],
            lastRuns: new Dictionary<string, LastRun> { ["going"] = new("running", Now, null, null, []) }), 10);

        var rows = StatusPageDom.Rows(html, "connections");
        Assert.Equal(("running", "", ""), (rows[0]["run"], rows[0]["ended"], rows[0]["rows"]));
        Assert.Equal("never run", rows[1]["run"]);
    }
}
