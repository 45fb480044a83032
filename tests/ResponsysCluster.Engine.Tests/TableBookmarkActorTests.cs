using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Akka.TestKit.Xunit2;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Engine.Bookmarks;
using static ResponsysCluster.Engine.Bookmarks.TableBookmarkProtocol;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// The bookmark actor on the in-memory journal and snapshot store (the journal can hold writes, the snapshot store
/// fails for some tables): persist, reply after persisting, snapshot, recover after a stop.
/// </summary>
public sealed class TableBookmarkActorTests() : TestKit(HoldingJournal.Config + "\n" + FailingSnapshotStore.Config)
{
    private static readonly DateTimeOffset T = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static FileVersion V(string name, int second) => new("/x/" + name, T.AddSeconds(second), 10);

    private IActorRef Journal => Persistence.Instance.Apply(Sys).JournalFor(null);

    private IActorRef SnapshotStore => Persistence.Instance.Apply(Sys).SnapshotStoreFor(null);

    private IActorRef Bookmark(string table, DateTimeOffset? startDate) => Sys.ActorOf(TableBookmarkActor.Props("c", table, startDate));

    private IActorRef Bookmark(string table) => Bookmark(table, T);

    private async Task StopAsync(IActorRef actor)
    {
        Watch(actor);
        Sys.Stop(actor);
        await ExpectTerminatedAsync(actor);
    }

    private async Task<IActorRef> StopAndRecreateAsync(IActorRef actor, string table)
    {
        await StopAsync(actor);
        return Bookmark(table);
    }

    /// <summary>Deletes the table's events up to the snapshot at <see cref="TableBookmarkActor.SnapshotEvery"/>: only that snapshot can bring them back.</summary>
    private async Task DeleteEventsTheSnapshotCoversAsync(string table)
    {
        Journal.Tell(new DeleteMessagesTo(PersistenceId("c", table), TableBookmarkActor.SnapshotEvery, TestActor));
        await ExpectMsgAsync<DeleteMessagesSuccess>(Wait);
    }

    private async Task<BookmarkState> AskAsync(IActorRef actor, object command)
    {
        actor.Tell(command, TestActor);
        return await ExpectMsgAsync<BookmarkState>(Wait);
    }

    /// <summary>The highest sequence number the journal holds for the table's bookmark.</summary>
    private async Task<long> HighestSequenceNrAsync(string table)
    {
        var probe = CreateTestProbe();
        Journal.Tell(new ReplayMessages(1, long.MaxValue, long.MaxValue, PersistenceId("c", table), probe.Ref));
        while (true)
        {
            switch (await probe.ReceiveOneAsync(Wait))
            {
                case RecoverySuccess success: return success.HighestSequenceNr;
                case ReplayedMessage: continue;
                case var other: throw new InvalidOperationException($"Unexpected {other}");
            }
        }
    }

    /// <summary>The latest snapshot of the table's bookmark at or below <paramref name="maxSequenceNr"/>, if any.</summary>
    private async Task<SelectedSnapshot?> SnapshotAsync(string table, long maxSequenceNr = long.MaxValue)
    {
        var probe = CreateTestProbe();
        SnapshotStore.Tell(new LoadSnapshot(PersistenceId("c", table), new SnapshotSelectionCriteria(maxSequenceNr), long.MaxValue), probe.Ref);
        return (await probe.ExpectMsgAsync<LoadSnapshotResult>(Wait)).Snapshot;
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_recover_what_it_persisted_after_being_stopped()
    {
        var actor = Bookmark("LIST");
        var afterA = await AskAsync(actor, new CompleteFileVersion("c", "LIST", V("a.csv", 1), [V("waiting.csv", 2)]));
        Assert.False(afterA.Bookmark.IsPending(V("a.csv", 1)));
        Assert.Equal(("c", "LIST"), (afterA.ConnectionId, afterA.Table));
        await AskAsync(actor, new CompleteFileVersion("c", "LIST", V("c.csv", 3), [V("waiting.csv", 2)]));

        var recovered = await StopAndRecreateAsync(actor, "LIST");
        var state = (await AskAsync(recovered, new GetBookmark("c", "LIST"))).Bookmark;
        Assert.Equal(V("a.csv", 1).Modified, state.Watermark);
        Assert.True(state.IsPending(V("waiting.csv", 2)));
        Assert.False(state.IsPending(V("c.csv", 3)));
        Assert.Equal(2, await HighestSequenceNrAsync("LIST"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_snapshot_and_recover_past_many_events()
    {
        // A file older than all others waits for its ready file: the watermark cannot move, so every completed
        // version stays in the bookmark's own list, and only the events or a snapshot can bring them back.
        var waiting = V("waiting.csv", 0);
        var actor = Bookmark("MANY");
        var count = TableBookmarkActor.SnapshotEvery + 5;
        for (var i = 1; i <= count; i++) await AskAsync(actor, new CompleteFileVersion("c", "MANY", V($"f{i}.csv", i), [waiting]));

        // Written: one snapshot, at the hundredth event, holding the hundred versions done by then.
        var snapshot = await SnapshotAsync("MANY");
        Assert.NotNull(snapshot);
        Assert.Equal(TableBookmarkActor.SnapshotEvery, snapshot.Metadata.SequenceNr);
        var stored = Assert.IsType<TableBookmarkSnapshot>(snapshot.Snapshot);
        Assert.Equal(TableBookmarkActor.SnapshotEvery, stored.DoneAtOrAbove.Count);

        // Used: with the events the snapshot covers gone from the journal, recovery still gives every version.
        await StopAsync(actor);
        await DeleteEventsTheSnapshotCoversAsync("MANY");
        var recovered = Bookmark("MANY");
        var state = (await AskAsync(recovered, new GetBookmark("c", "MANY"))).Bookmark;
        Assert.All(Enumerable.Range(1, count), i => Assert.False(state.IsPending(V($"f{i}.csv", i)), $"f{i}.csv"));
        Assert.True(state.IsPending(waiting));
        Assert.Equal(T, state.Watermark);
        Assert.Equal(count, await HighestSequenceNrAsync("MANY"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_keep_only_the_latest_snapshot()
    {
        // The snapshot store's answers are the bookmark's to take: none of them may go unhandled (to the dead-letter log).
        var unhandled = CreateTestProbe();
        Sys.EventStream.Subscribe(unhandled.Ref, typeof(UnhandledMessage));
        var actor = Bookmark("SNAP");
        for (var i = 1; i <= 2 * TableBookmarkActor.SnapshotEvery; i++) await AskAsync(actor, new CompleteFileVersion("c", "SNAP", V($"f{i}.csv", i), []));

        await AwaitConditionAsync(async () => await SnapshotAsync("SNAP", 2 * TableBookmarkActor.SnapshotEvery - 1) is null, Wait);
        await AskAsync(actor, new GetBookmark("c", "SNAP"));
        await unhandled.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        var latest = await SnapshotAsync("SNAP");
        Assert.Equal(2 * TableBookmarkActor.SnapshotEvery, latest!.Metadata.SequenceNr);
        Assert.Equal(T.AddSeconds(2 * TableBookmarkActor.SnapshotEvery), ((TableBookmarkSnapshot)latest.Snapshot).Watermark);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_start_over_after_a_reset_and_remember_it()
    {
        var actor = Bookmark("RESET");
        await AskAsync(actor, new CompleteFileVersion("c", "RESET", V("a.csv", 1), []));
        Assert.True((await AskAsync(actor, new ResetTable("c", "RESET", T))).Bookmark.IsPending(V("a.csv", 1)));
        var recovered = await StopAndRecreateAsync(actor, "RESET");
        Assert.True((await AskAsync(recovered, new GetBookmark("c", "RESET"))).Bookmark.IsPending(V("a.csv", 1)));
        Assert.Equal(2, await HighestSequenceNrAsync("RESET"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_take_the_reset_start_date_not_the_configured_one()
    {
        var actor = Bookmark("RESTART");
        var later = await AskAsync(actor, new ResetTable("c", "RESTART", T.AddSeconds(10)));
        Assert.False(later.Bookmark.IsPending(V("before.csv", 5)));
        Assert.True(later.Bookmark.IsPending(V("after.csv", 10)));

        // No start date at all: every version is pending again, even those before the configured start date.
        var all = await AskAsync(actor, new ResetTable("c", "RESTART", null));
        Assert.True(all.Bookmark.IsPending(V("old.csv", -3600)));
        var recovered = await StopAndRecreateAsync(actor, "RESTART");
        Assert.True((await AskAsync(recovered, new GetBookmark("c", "RESTART"))).Bookmark.IsPending(V("old.csv", -3600)));
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_answer_at_once_for_a_version_already_done_without_persisting_again()
    {
        var actor = Bookmark("TWICE");
        var first = await AskAsync(actor, new CompleteFileVersion("c", "TWICE", V("a.csv", 1), []));
        var again = await AskAsync(actor, new CompleteFileVersion("c", "TWICE", V("a.csv", 1), []));
        Assert.Equal(first.Bookmark.Watermark, again.Bookmark.Watermark);
        Assert.False(again.Bookmark.IsPending(V("a.csv", 1)));
        Assert.Equal(1, await HighestSequenceNrAsync("TWICE"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_reply_only_after_the_event_is_persisted()
    {
        var actor = Bookmark("HELD");
        await AskAsync(actor, new GetBookmark("c", "HELD")); // recovered before the journal holds
        Journal.Tell(new HoldingJournal.Hold(), TestActor);

        actor.Tell(new CompleteFileVersion("c", "HELD", V("a.csv", 1), []), TestActor);
        Assert.Equal(1, (await ExpectMsgAsync<HoldingJournal.WriteHeld>(Wait)).HighestSequenceNr);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));

        Journal.Tell(new HoldingJournal.Release());
        Assert.False((await ExpectMsgAsync<BookmarkState>(Wait)).Bookmark.IsPending(V("a.csv", 1)));
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_reply_to_a_reset_only_after_it_is_persisted()
    {
        var actor = Bookmark("HELDRESET");
        await AskAsync(actor, new CompleteFileVersion("c", "HELDRESET", V("a.csv", 1), []));
        Journal.Tell(new HoldingJournal.Hold(), TestActor);

        actor.Tell(new ResetTable("c", "HELDRESET", T), TestActor);
        Assert.Equal(2, (await ExpectMsgAsync<HoldingJournal.WriteHeld>(Wait)).HighestSequenceNr);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));

        Journal.Tell(new HoldingJournal.Release());
        Assert.True((await ExpectMsgAsync<BookmarkState>(Wait)).Bookmark.IsPending(V("a.csv", 1)));
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_route_each_table_to_its_own_bookmark_with_the_connection_start_date()
    {
        var router = Sys.ActorOf(TableBookmarksActor.Props(connection => connection == "c" ? T : T.AddDays(1)));
        await AskAsync(router, new CompleteFileVersion("c", "ROUTED", V("a.csv", 1), []));

        var same = await AskAsync(router, new GetBookmark("c", "ROUTED"));
        Assert.False(same.Bookmark.IsPending(V("a.csv", 1)));
        var otherTable = await AskAsync(router, new GetBookmark("c", "ROUTED_TOO"));
        Assert.Equal(("c", "ROUTED_TOO", T), (otherTable.ConnectionId, otherTable.Table, otherTable.Bookmark.Watermark));
        Assert.True(otherTable.Bookmark.IsPending(V("a.csv", 1)));
        var otherConnection = await AskAsync(router, new GetBookmark("d", "ROUTED"));
        Assert.Equal(T.AddDays(1), otherConnection.Bookmark.Watermark);

        // Its journal is the table's own: the same events recover under the same persistence id.
        Assert.Equal(1, await HighestSequenceNrAsync("ROUTED"));
        Assert.Equal("bookmark|c|ROUTED", PersistenceId("c", "ROUTED"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_keep_versions_done_before_the_first_watermark_in_its_answers_and_its_snapshot()
    {
        // No start date, and the oldest file waits for its ready file: the watermark cannot be set, so the versions
        // done are all the bookmark knows, in its answer to the run as in its snapshot.
        var waiting = V("waiting.csv", 0);
        var actor = Bookmark("NOSTART", null);
        var first = (await AskAsync(actor, new CompleteFileVersion("c", "NOSTART", V("f1.csv", 1), [waiting]))).Bookmark;
        Assert.Null(first.Watermark);
        Assert.False(first.IsPending(V("f1.csv", 1)));
        Assert.True(first.IsPending(waiting));
        for (var i = 2; i <= TableBookmarkActor.SnapshotEvery; i++)
            await AskAsync(actor, new CompleteFileVersion("c", "NOSTART", V($"f{i}.csv", i), [waiting]));

        var stored = Assert.IsType<TableBookmarkSnapshot>((await SnapshotAsync("NOSTART"))!.Snapshot);
        Assert.Null(stored.Watermark);
        Assert.Equal(TableBookmarkActor.SnapshotEvery, stored.DoneAtOrAbove.Count);

        await StopAsync(actor);
        await DeleteEventsTheSnapshotCoversAsync("NOSTART");
        var state = (await AskAsync(Bookmark("NOSTART", null), new GetBookmark("c", "NOSTART"))).Bookmark;
        Assert.All(Enumerable.Range(1, TableBookmarkActor.SnapshotEvery), i => Assert.False(state.IsPending(V($"f{i}.csv", i)), $"f{i}.csv"));
        Assert.True(state.IsPending(waiting));
        Assert.Null(state.Watermark);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_snapshot_a_reset_that_is_the_hundredth_event_and_recover_it_from_the_snapshot()
    {
        var actor = Bookmark("RESETSNAP");
        for (var i = 1; i < TableBookmarkActor.SnapshotEvery; i++)
            await AskAsync(actor, new CompleteFileVersion("c", "RESETSNAP", V($"f{i}.csv", i), []));
        await AskAsync(actor, new ResetTable("c", "RESETSNAP", T.AddSeconds(10)));

        var snapshot = await SnapshotAsync("RESETSNAP");
        Assert.Equal(TableBookmarkActor.SnapshotEvery, snapshot!.Metadata.SequenceNr);
        var stored = Assert.IsType<TableBookmarkSnapshot>(snapshot.Snapshot);
        Assert.Equal(T.AddSeconds(10), stored.Watermark);
        Assert.Empty(stored.DoneAtOrAbove);

        // Recovered from the snapshot alone: what came after the reset's start date is pending again, what came before is not.
        await StopAsync(actor);
        await DeleteEventsTheSnapshotCoversAsync("RESETSNAP");
        var state = (await AskAsync(Bookmark("RESETSNAP"), new GetBookmark("c", "RESETSNAP"))).Bookmark;
        Assert.False(state.IsPending(V("f9.csv", 9)));
        Assert.True(state.IsPending(V("f10.csv", 10)));
        Assert.True(state.IsPending(V("f99.csv", 99)));
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_log_a_snapshot_it_could_not_save_and_recover_from_its_events()
    {
        const string table = FailingSnapshotStore.SaveFails;
        var actor = Bookmark(table);
        for (var i = 1; i < TableBookmarkActor.SnapshotEvery; i++) await AskAsync(actor, new CompleteFileVersion("c", table, V($"f{i}.csv", i), []));

        // The hundredth event is persisted and answered; its snapshot fails and the node's log says so.
        var last = V($"f{TableBookmarkActor.SnapshotEvery}.csv", TableBookmarkActor.SnapshotEvery);
        await EventFilter.Warning(contains: $"Snapshot of bookmark {PersistenceId("c", table)} failed").ExpectOneAsync(async () =>
            Assert.False((await AskAsync(actor, new CompleteFileVersion("c", table, last, []))).Bookmark.IsPending(last)));
        Assert.Null(await SnapshotAsync(table));

        var recovered = await StopAndRecreateAsync(actor, table);
        var state = (await AskAsync(recovered, new GetBookmark("c", table))).Bookmark;
        Assert.Equal(last.Modified, state.Watermark);
        Assert.Equal(TableBookmarkActor.SnapshotEvery, await HighestSequenceNrAsync(table));
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_log_old_snapshots_it_could_not_delete_and_keep_its_new_one()
    {
        const string table = FailingSnapshotStore.DeleteFails;
        var actor = Bookmark(table);
        for (var i = 1; i < TableBookmarkActor.SnapshotEvery; i++) await AskAsync(actor, new CompleteFileVersion("c", table, V($"f{i}.csv", i), []));

        var last = V($"f{TableBookmarkActor.SnapshotEvery}.csv", TableBookmarkActor.SnapshotEvery);
        await EventFilter.Warning(contains: $"Deleting old snapshots of bookmark {PersistenceId("c", table)} failed").ExpectOneAsync(async () =>
            await AskAsync(actor, new CompleteFileVersion("c", table, last, [])));
        var snapshot = await SnapshotAsync(table);
        Assert.Equal(TableBookmarkActor.SnapshotEvery, snapshot!.Metadata.SequenceNr);
        Assert.Equal(last.Modified, ((TableBookmarkSnapshot)snapshot.Snapshot).Watermark);
    }
}
