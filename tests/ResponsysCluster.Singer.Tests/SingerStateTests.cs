using ResponsysCluster.Domain.Bookmarks;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Singer.Sync;

namespace ResponsysCluster.Singer.Tests;

public sealed class SingerStateTests
{
    private static readonly DateTimeOffset Older = new(2024, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Newer = new(2024, 3, 2, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Should_keep_files_done_before_the_first_watermark_across_a_state_round_trip()
    {
        // No start date, and the oldest file still waits for its ready file: the newer one was loaded, yet no
        // watermark can pass the older. The state must remember the newer one, or the next run emits it again.
        var bookmark = TableBookmark.Start(null).Complete(new FileVersion("/x/B.csv", Newer, 10), [new FileVersion("/x/A.csv", Older, 10)]);
        Assert.Null(bookmark.Watermark);

        var json = SingerState.Empty.With("A", bookmark).ToJson().ToJsonString();
        var restored = SingerState.Parse(json).BookmarkFor("A");

        Assert.NotNull(restored);
        Assert.Null(restored.Watermark);
        Assert.False(restored.IsPending(new FileVersion("/x/B.csv", Newer, 10)));
        Assert.True(restored.IsPending(new FileVersion("/x/A.csv", Older, 10)));
        Assert.Contains("\"files_done\"", json);
        Assert.DoesNotContain("modified_since", json);
    }

    [Fact]
    public void Should_write_no_files_done_for_a_bookmark_with_nothing_done()
    {
        var json = SingerState.Empty.With("A", TableBookmark.Start(null)).ToJson().ToJsonString();

        Assert.DoesNotContain("files_done", json);
        Assert.Null(SingerState.Parse(json).BookmarkFor("A"));
    }
}
