using ResponsysCluster.Domain.Bookmarks;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Sync;

namespace ResponsysCluster.Domain.Tests;

public sealed class TableSyncPlanTests
{
    private static readonly DateTimeOffset Now = new(2018, 9, 12, 12, 0, 0, TimeSpan.Zero);

    private static DataFile File(string name, TimeSpan age, bool ready) =>
        new(new RemoteFile("/x/" + name, name, 10, Now - age), "LIST", ready ? new RemoteFile("/x/r", "r", 0, Now) : null);

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
        var plan = TableSyncPlan.Create(files, TableBookmark.Start(Now - TimeSpan.FromDays(3)), Now, TimeSpan.FromHours(24));
        Assert.Equal(["old.csv", "new.csv"], plan.ToRead.Select(f => f.File.Name));
        Assert.Equal(["waiting.csv"], plan.Waiting.Select(f => f.File.Name));
        Assert.Equal(["abandoned.csv"], plan.Abandoned.Select(f => f.File.Name));
        Assert.Equal(3, plan.Holding.Count);
    }
}
