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
    public void Should_keep_a_version_done_while_an_older_one_holds_back_the_first_watermark()
    {
        // No start date: the watermark cannot be set while the oldest version waits, yet the newer one is done.
        var waiting = V("waiting.csv", 1);
        var later = V("later.csv", 2);
        var bookmark = TableBookmark.Start(null).Complete(later, [waiting]);
        Assert.Null(bookmark.Watermark);
        Assert.False(bookmark.IsPending(later));
        Assert.True(bookmark.IsPending(waiting));
        Assert.True(bookmark.IsPending(later with { Modified = later.Modified.AddSeconds(1) }));
        Assert.Same(bookmark, bookmark.Complete(later, [waiting]));
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

    [Fact]
    public void Should_keep_the_watermark_below_a_file_still_to_do_that_shares_a_done_files_second()
    {
        var a = V("a.csv", 5);
        var b = V("b.csv", 5);
        var bookmark = TableBookmark.Start(T0).Complete(a, [b]);
        Assert.Equal(T0, bookmark.Watermark);
        // A reader that keeps only the timestamp (tap-responsys) treats all at the watermark as done: b must stay above.
        Assert.True(TableBookmark.Restore(bookmark.Watermark!.Value, null).IsPending(b));
    }

    [Fact]
    public void Should_move_the_watermark_to_the_newest_done_version_older_than_every_one_still_to_do()
    {
        var bookmark = TableBookmark.Start(T0)
            .Complete(V("a.csv", 1), [V("b.csv", 2), V("c.csv", 3), V("d.csv", 4)]);
        bookmark = bookmark.Complete(V("c.csv", 3), [V("b.csv", 2), V("d.csv", 4)]);
        Assert.Equal(T0.AddSeconds(1), bookmark.Watermark);
        bookmark = bookmark.Complete(V("b.csv", 2), [V("d.csv", 4)]);
        Assert.Equal(T0.AddSeconds(3), bookmark.Watermark);
        Assert.Empty(bookmark.DoneAbove);
        Assert.True(bookmark.IsPending(V("d.csv", 4)));
    }

    [Fact]
    public void Should_not_be_held_back_by_versions_still_to_do_that_are_already_done()
    {
        var a = V("a.csv", 1);
        var b = V("b.csv", 2);
        var bookmark = TableBookmark.Start(T0).Complete(a, []).Complete(b, [a]);
        Assert.Equal(b.Modified, bookmark.Watermark);
    }

    [Fact]
    public void Should_record_a_version_done_at_the_watermark_by_its_path()
    {
        var bookmark = TableBookmark.Start(T0).MarkDone(V("a.csv", 0));
        Assert.Equal(["/x/a.csv"], bookmark.DoneAtWatermark);
        Assert.Empty(bookmark.DoneAbove);
        Assert.False(bookmark.IsPending(V("a.csv", 0)));
        Assert.True(bookmark.IsPending(V("b.csv", 0)));
    }

    [Fact]
    public void Should_never_move_the_watermark_back_or_forget_what_is_done_at_it()
    {
        var bookmark = TableBookmark.Start(T0.AddSeconds(5)).MarkDone(V("a.csv", 5));
        Assert.Same(bookmark, bookmark.MoveWatermarkTo(T0.AddSeconds(5)));
        Assert.Same(bookmark, bookmark.MoveWatermarkTo(T0));
    }

    [Fact]
    public void Should_fold_done_versions_into_a_moved_watermark()
    {
        var bookmark = TableBookmark.Restore(T0, null)
            .MarkDone(V("a.csv", 1)).MarkDone(V("b.csv", 2)).MarkDone(V("c.csv", 2)).MarkDone(V("d.csv", 3))
            .MoveWatermarkTo(T0.AddSeconds(2));
        Assert.Equal(T0.AddSeconds(2), bookmark.Watermark);
        Assert.False(bookmark.AllDoneAtWatermark);
        Assert.Equal(["/x/b.csv", "/x/c.csv"], bookmark.DoneAtWatermark.Order(StringComparer.Ordinal));
        Assert.Equal([new DoneVersion("/x/d.csv", T0.AddSeconds(3))], bookmark.DoneAbove);
        Assert.True(bookmark.IsPending(V("e.csv", 2)));
    }

    [Fact]
    public void Should_restore_only_the_versions_at_or_above_the_watermark()
    {
        var bookmark = TableBookmark.Restore(T0.AddSeconds(2), [
            new DoneVersion("/x/below.csv", T0.AddSeconds(1)),
            new DoneVersion("/x/at.csv", T0.AddSeconds(2)),
            new DoneVersion("/x/above.csv", T0.AddSeconds(3)),
        ]);
        Assert.False(bookmark.AllDoneAtWatermark);
        Assert.Equal(["/x/at.csv"], bookmark.DoneAtWatermark);
        Assert.Equal([new DoneVersion("/x/above.csv", T0.AddSeconds(3))], bookmark.DoneAbove);
        Assert.True(bookmark.IsPending(V("other.csv", 2)));
        Assert.True(bookmark.IsPending(V("other.csv", 3)));
    }

    [Fact]
    public void Should_restore_a_watermark_at_which_every_version_is_done_with_the_versions_above_it()
    {
        var bookmark = TableBookmark.Restore(T0, [new DoneVersion("/x/above.csv", T0.AddSeconds(1))], allDoneAtWatermark: true);
        Assert.True(bookmark.AllDoneAtWatermark);
        Assert.False(bookmark.IsPending(V("any.csv", 0)));
        Assert.False(bookmark.IsPending(V("above.csv", 1)));
        Assert.True(bookmark.IsPending(V("other.csv", 1)));
    }

    [Fact]
    public void Should_report_what_is_done_oldest_first_then_by_ordinal_path()
    {
        var bookmark = TableBookmark.Start(T0)
            .MarkDone(V("c.csv", 2)).MarkDone(V("B.csv", 2)).MarkDone(V("a.csv", 2)).MarkDone(V("z.csv", 1))
            .MarkDone(V("y.csv", 0));
        Assert.Equal(
            [("/x/y.csv", 0), ("/x/z.csv", 1), ("/x/B.csv", 2), ("/x/a.csv", 2), ("/x/c.csv", 2)],
            bookmark.DoneAtOrAbove.Select(d => (d.Path, (int)(d.Modified - T0).TotalSeconds)));
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

    [Fact]
    public void Should_journal_the_watermark_only_when_it_moved()
    {
        var a = V("a.csv", 1);
        var b = V("b.csv", 2);
        var start = TableBookmark.Start(T0);
        Assert.Equal(new FileVersionCompleted(b.Path, b.Modified, b.Size, null), TableBookmarkDecisions.Complete(start, b, [a]));
        Assert.Equal(new FileVersionCompleted(a.Path, a.Modified, a.Size, a.Modified), TableBookmarkDecisions.Complete(start, a, [b]));
    }

    [Fact]
    public void Should_refuse_to_apply_an_event_it_does_not_know()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => TableBookmarkDecisions.Apply(TableBookmark.Start(T0), new UnknownEvent()));
        Assert.Contains(nameof(UnknownEvent), refused.Message);
    }

    private sealed record UnknownEvent : ITableBookmarkEvent;
}
