using ResponsysCluster.Domain.Bookmarks;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Sync;

namespace ResponsysCluster.Domain.Tests;

public sealed class TableSyncPlanTests
{
    private static readonly DateTimeOffset Now = new(2018, 9, 12, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromHours(24);

    private static DataFile File(string name, TimeSpan age, bool ready) =>
        new(new RemoteFile("/x/" + name, name, 10, Now - age), "LIST", ready ? new RemoteFile("/x/r", "r", 0, Now) : null);

    private static TableSyncPlan Plan(IEnumerable<DataFile> files, TableBookmark bookmark) =>
        TableSyncPlan.Create(files, bookmark, Now, ReadyTimeout);

    [Fact]
    public void Should_read_ready_files_oldest_first_and_hold_or_abandon_the_rest()
    {
        var files = new[]
        {
            File("new.csv", TimeSpan.FromHours(1), ready: true),
            File("old.csv", TimeSpan.FromHours(5), ready: true),
            File("waiting.csv", TimeSpan.FromHours(2), ready: false),
            File("abandoned.csv", TimeSpan.FromHours(30), ready: false),
            File("done.csv", TimeSpan.FromDays(10), ready: true),
        };
        var plan = Plan(files, TableBookmark.Start(Now - TimeSpan.FromDays(3)));
        Assert.Equal(["old.csv", "new.csv"], plan.ToRead.Select(f => f.File.Name));
        Assert.Equal(["waiting.csv"], plan.Waiting.Select(f => f.File.Name));
        Assert.Equal(["abandoned.csv"], plan.Abandoned.Select(f => f.File.Name));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(24 * 3600 - 1, false)]
    [InlineData(24 * 3600, false)]
    [InlineData(24 * 3600 + 1, true)]
    [InlineData(30 * 24 * 3600, true)]
    public void Should_wait_for_a_ready_file_up_to_the_timeout_and_no_longer(int ageSeconds, bool abandoned)
    {
        var plan = Plan([File("list.csv", TimeSpan.FromSeconds(ageSeconds), ready: false)], TableBookmark.Start(null));
        Assert.Empty(plan.ToRead);
        Assert.Equal(abandoned ? 0 : 1, plan.Waiting.Count);
        Assert.Equal(abandoned ? 1 : 0, plan.Abandoned.Count);
    }

    [Fact]
    public void Should_read_a_ready_file_whatever_its_age()
    {
        var plan = Plan([File("old.csv", TimeSpan.FromDays(30), ready: true)], TableBookmark.Start(null));
        Assert.Equal(["old.csv"], plan.ToRead.Select(f => f.File.Name));
        Assert.Empty(plan.Waiting);
        Assert.Empty(plan.Abandoned);
    }

    [Fact]
    public void Should_order_files_of_the_same_mtime_by_path()
    {
        var age = TimeSpan.FromHours(1);
        var plan = Plan(
            [File("c.csv", age, ready: true), File("a.csv", age, ready: true), File("b.csv", age, ready: true),
             File("z.csv", age, ready: false), File("y.csv", age, ready: false)],
            TableBookmark.Start(null));
        Assert.Equal(["a.csv", "b.csv", "c.csv"], plan.ToRead.Select(f => f.File.Name));
        Assert.Equal(["y.csv", "z.csv"], plan.Waiting.Select(f => f.File.Name));
    }

    [Fact]
    public void Should_leave_out_versions_the_bookmark_has_done_whether_ready_or_not()
    {
        var done = File("done.csv", TimeSpan.FromHours(3), ready: true);
        var doneNotReady = File("done-now-unready.csv", TimeSpan.FromHours(2), ready: false);
        var bookmark = TableBookmark.Start(null)
            .Complete(done.File.Version, [])
            .Complete(doneNotReady.File.Version, []);
        var plan = Plan([done, doneNotReady, File("new.csv", TimeSpan.FromHours(1), ready: true)], bookmark);
        Assert.Equal(["new.csv"], plan.ToRead.Select(f => f.File.Name));
        Assert.Empty(plan.Waiting);
        Assert.Empty(plan.Abandoned);
    }

    [Fact]
    public void Should_hold_the_watermark_for_files_to_read_and_waiting_but_not_abandoned()
    {
        var toRead = File("read.csv", TimeSpan.FromHours(1), ready: true);
        var waiting = File("waiting.csv", TimeSpan.FromHours(2), ready: false);
        var abandoned = File("abandoned.csv", TimeSpan.FromDays(2), ready: false);
        var plan = Plan([toRead, waiting, abandoned], TableBookmark.Start(null));
        Assert.Equal(
            new[] { toRead.File.Version, waiting.File.Version }.OrderBy(v => v.Path),
            plan.Holding.OrderBy(v => v.Path));
    }
}
