using ResponsysCluster.Domain.Bookmarks;
using ResponsysCluster.Domain.Files;

namespace ResponsysCluster.Domain.Tests;

public sealed class TableBookmarkTests
{
    private static readonly DateTimeOffset T0 = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);

    private static FileVersion V(string name, int second) => new("/x/" + name, T0.AddSeconds(second), 100);

    [Fact]
    public void Should_include_files_at_the_start_date_on_the_first_sync()
    {
        var bookmark = TableBookmark.Start(T0);
        Assert.True(bookmark.IsPending(V("a.csv", 0)));
        Assert.False(bookmark.IsPending(V("old.csv", -1)));
    }

    [Fact]
    public void Should_take_everything_without_a_start_date()
    {
        Assert.True(TableBookmark.Start(null).IsPending(V("a.csv", -100000)));
    }

    [Fact]
    public void Should_advance_past_completed_files_in_order()
    {
        var a = V("a.csv", 1);
        var b = V("b.csv", 2);
        var bookmark = TableBookmark.Start(T0).Complete(a, [b]);
        Assert.Equal(a.Modified, bookmark.Watermark);
        Assert.False(bookmark.IsPending(a));
        Assert.True(bookmark.IsPending(b));
        bookmark = bookmark.Complete(b, []);
        Assert.Equal(b.Modified, bookmark.Watermark);
        Assert.Empty(bookmark.DoneAbove);
    }

    [Fact]
    public void Should_not_skip_a_file_sharing_the_watermark_second_with_a_done_one()
    {
        var a = V("a.csv", 5);
        var b = V("b.csv", 5);
        var bookmark = TableBookmark.Start(T0).Complete(a, [b]);
        // A stop here must not lose b, which tap-responsys's single timestamp would.
        Assert.True(bookmark.IsPending(b));
        Assert.False(bookmark.IsPending(a));
    }

    [Fact]
    public void Should_never_pass_a_file_that_waits_or_failed()
    {
        var waiting = V("waiting.csv", 1);
        var later = V("later.csv", 2);
        var bookmark = TableBookmark.Start(T0).Complete(later, [waiting]);
        Assert.Equal(T0, bookmark.Watermark);
        Assert.True(bookmark.IsPending(waiting));
        Assert.False(bookmark.IsPending(later));
        Assert.Single(bookmark.DoneAbove);

        var afterWait = bookmark.Complete(waiting, []);
        Assert.Equal(later.Modified, afterWait.Watermark);
        Assert.Empty(afterWait.DoneAbove);
    }

    [Fact]
    public void Should_read_a_re_exported_path_again()
    {
        var first = V("list.csv", 1);
        var bookmark = TableBookmark.Start(T0).Complete(first, []);
        Assert.True(bookmark.IsPending(first with { Modified = first.Modified.AddSeconds(60) }));
    }

    [Fact]
    public void Should_let_an_abandoned_file_stop_holding_the_watermark()
    {
        var abandoned = V("abandoned.csv", 1);
        var done = V("done.csv", 2);
        // The caller leaves abandoned versions out of what is still to do.
        var bookmark = TableBookmark.Start(T0).Complete(done, []);
        Assert.Equal(done.Modified, bookmark.Watermark);
        Assert.False(bookmark.IsPending(abandoned));
    }

    [Fact]
    public void Should_treat_every_file_at_a_tap_responsys_timestamp_as_done()
    {
        var bookmark = TableBookmark.Restore(T0.AddSeconds(5), null);
        Assert.False(bookmark.IsPending(V("a.csv", 5)));
        Assert.True(bookmark.IsPending(V("b.csv", 6)));
    }

    [Fact]
    public void Should_rebuild_the_same_state_from_what_it_reports_done()
    {
        var waiting = V("waiting.csv", 3);
        var bookmark = TableBookmark.Start(T0)
            .Complete(V("a.csv", 1), [V("b.csv", 1), waiting, V("d.csv", 4)])
            .Complete(V("b.csv", 1), [waiting, V("d.csv", 4)])
            .Complete(V("d.csv", 4), [waiting]);
        var restored = TableBookmark.Restore(bookmark.Watermark!.Value, bookmark.DoneAtOrAbove);
        Assert.Equal(bookmark.Watermark, restored.Watermark);
        Assert.Equal(bookmark.DoneAtWatermark.Order(), restored.DoneAtWatermark.Order());
        Assert.Equal(bookmark.DoneAbove.OrderBy(d => d.Path), restored.DoneAbove.OrderBy(d => d.Path));
        foreach (var v in new[] { V("a.csv", 1), V("b.csv", 1), waiting, V("d.csv", 4), V("e.csv", 9) })
            Assert.Equal(bookmark.IsPending(v), restored.IsPending(v));
    }

    [Fact]
    public void Should_ignore_completing_a_version_already_done()
    {
        var a = V("a.csv", 1);
        var bookmark = TableBookmark.Start(T0).Complete(a, []);
        Assert.Same(bookmark, bookmark.Complete(a, []));
    }
}

public sealed class TableBookmarkDecisionsTests
{
    private static readonly DateTimeOffset T0 = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);

    private static FileVersion V(string name, int second) => new("/x/" + name, T0.AddSeconds(second), 100);

    [Fact]
    public void Should_rebuild_the_same_bookmark_by_replaying_its_events()
    {
        var waiting = V("waiting.csv", 3);
        var steps = new (FileVersion Done, FileVersion[] StillToDo)[]
        {
            (V("a.csv", 1), [V("b.csv", 1), waiting, V("d.csv", 4)]),
            (V("d.csv", 4), [V("b.csv", 1), waiting]),
            (V("b.csv", 1), [waiting]),
            (waiting, []),
        };
        var live = TableBookmark.Start(T0);
        var events = new List<ITableBookmarkEvent>();
        foreach (var (done, stillToDo) in steps)
        {
            var @event = TableBookmarkDecisions.Complete(live, done, stillToDo);
            Assert.NotNull(@event);
            events.Add(@event);
            live = live.Complete(done, stillToDo);
        }

        var replayed = events.Aggregate(TableBookmark.Start(T0), TableBookmarkDecisions.Apply);
        Assert.Equal(live.Watermark, replayed.Watermark);
        Assert.Equal(V("d.csv", 4).Modified, replayed.Watermark);
        Assert.Equal(live.DoneAtOrAbove, replayed.DoneAtOrAbove);
    }

    [Fact]
    public void Should_decide_nothing_for_a_version_already_done()
    {
        var a = V("a.csv", 1);
        var bookmark = TableBookmark.Start(T0).Complete(a, []);
        Assert.Null(TableBookmarkDecisions.Complete(bookmark, a, []));
    }

    [Fact]
    public void Should_start_over_after_a_reset()
    {
        var bookmark = TableBookmark.Start(T0).Complete(V("a.csv", 1), []);
        var reset = TableBookmarkDecisions.Apply(bookmark, new TableReset(T0));
        Assert.True(reset.IsPending(V("a.csv", 1)));
    }
}
