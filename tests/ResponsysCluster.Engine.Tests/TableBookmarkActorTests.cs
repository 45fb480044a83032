using Akka.Actor;
using Akka.TestKit.Xunit2;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Engine.Bookmarks;
using static ResponsysCluster.Engine.Bookmarks.TableBookmarkProtocol;

namespace ResponsysCluster.Engine.Tests;

/// <summary>The bookmark actor on the in-memory journal: persist, reply after persisting, recover after a stop.</summary>
public sealed class TableBookmarkActorTests : TestKit
{
    private static readonly DateTimeOffset T = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);

    private static FileVersion V(string name, int second) => new("/x/" + name, T.AddSeconds(second), 10);

    private IActorRef StopAndRecreate(IActorRef actor, string table)
    {
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
        return Sys.ActorOf(TableBookmarkActor.Props("c", table, T));
    }

    [Fact]
    public void Should_recover_what_it_persisted_after_being_stopped()
    {
        var actor = Sys.ActorOf(TableBookmarkActor.Props("c", "LIST", T));
        actor.Tell(new CompleteFileVersion("c", "LIST", V("a.csv", 1), [V("waiting.csv", 2)]));
        var afterA = ExpectMsg<BookmarkState>();
        Assert.False(afterA.Bookmark.IsPending(V("a.csv", 1)));
        actor.Tell(new CompleteFileVersion("c", "LIST", V("c.csv", 3), [V("waiting.csv", 2)]));
        ExpectMsg<BookmarkState>();

        var recovered = StopAndRecreate(actor, "LIST");
        recovered.Tell(new GetBookmark("c", "LIST"));
        var state = ExpectMsg<BookmarkState>().Bookmark;
        Assert.Equal(V("a.csv", 1).Modified, state.Watermark);
        Assert.True(state.IsPending(V("waiting.csv", 2)));
        Assert.False(state.IsPending(V("c.csv", 3)));
    }

    [Fact]
    public void Should_snapshot_and_recover_past_many_events()
    {
        var actor = Sys.ActorOf(TableBookmarkActor.Props("c", "MANY", T));
        for (var i = 1; i <= TableBookmarkActor.SnapshotEvery + 5; i++)
        {
            actor.Tell(new CompleteFileVersion("c", "MANY", V($"f{i}.csv", i), []));
            ExpectMsg<BookmarkState>();
        }
        var recovered = StopAndRecreate(actor, "MANY");
        recovered.Tell(new GetBookmark("c", "MANY"));
        Assert.Equal(V("last.csv", TableBookmarkActor.SnapshotEvery + 5).Modified, ExpectMsg<BookmarkState>().Bookmark.Watermark);
    }

    [Fact]
    public void Should_start_over_after_a_reset_and_remember_it()
    {
        var actor = Sys.ActorOf(TableBookmarkActor.Props("c", "RESET", T));
        actor.Tell(new CompleteFileVersion("c", "RESET", V("a.csv", 1), []));
        ExpectMsg<BookmarkState>();
        actor.Tell(new ResetTable("c", "RESET", T));
        Assert.True(ExpectMsg<BookmarkState>().Bookmark.IsPending(V("a.csv", 1)));
        var recovered = StopAndRecreate(actor, "RESET");
        recovered.Tell(new GetBookmark("c", "RESET"));
        Assert.True(ExpectMsg<BookmarkState>().Bookmark.IsPending(V("a.csv", 1)));
    }

    [Fact]
    public void Should_answer_at_once_for_a_version_already_done()
    {
        var actor = Sys.ActorOf(TableBookmarkActor.Props("c", "TWICE", T));
        actor.Tell(new CompleteFileVersion("c", "TWICE", V("a.csv", 1), []));
        var first = ExpectMsg<BookmarkState>();
        actor.Tell(new CompleteFileVersion("c", "TWICE", V("a.csv", 1), []));
        Assert.Equal(first.Bookmark.Watermark, ExpectMsg<BookmarkState>().Bookmark.Watermark);
    }
}
