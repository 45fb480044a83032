using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using ResponsysCluster.Domain.Bookmarks;
using static ResponsysCluster.Engine.Bookmarks.TableBookmarkProtocol;

namespace ResponsysCluster.Engine.Bookmarks;

/// <summary>
/// One table's bookmark, event-sourced: decides with the pure domain, persists, then replies. Snapshots every
/// <see cref="SnapshotEvery"/> events so that recovery does not replay every event ever written.
/// </summary>
public sealed class TableBookmarkActor : ReceivePersistentActor
{
    public const int SnapshotEvery = 100;

    private readonly string connectionId;
    private readonly string table;
    private readonly DateTimeOffset? startDate;
    private readonly ILoggingAdapter log = Context.GetLogger();
    private TableBookmark bookmark;

    public TableBookmarkActor(string connectionId, string table, DateTimeOffset? startDate)
    {
        this.connectionId = connectionId;
        this.table = table;
        this.startDate = startDate;
        bookmark = TableBookmark.Start(startDate);

        Recover<SnapshotOffer>(offer => bookmark = ((TableBookmarkSnapshot)offer.Snapshot).ToBookmark());
        Recover<FileVersionCompletedEvent>(e => bookmark = TableBookmarkDecisions.Apply(bookmark, e.ToDomain()));
        Recover<TableResetEvent>(e => bookmark = TableBookmarkDecisions.Apply(bookmark, e.ToDomain()));

        Command<GetBookmark>(_ => Sender.Tell(State()));
        Command<CompleteFileVersion>(HandleComplete);
        Command<ResetTable>(HandleReset);
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => log.Warning(f.Cause, "Snapshot of bookmark {0} failed", PersistenceId));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => log.Warning(f.Cause, "Deleting old snapshots of bookmark {0} failed", PersistenceId));
    }

    public override string PersistenceId => TableBookmarkProtocol.PersistenceId(connectionId, table);

    public static Props Props(string connectionId, string table, DateTimeOffset? startDate) =>
        Akka.Actor.Props.Create(() => new TableBookmarkActor(connectionId, table, startDate));

    private void HandleComplete(CompleteFileVersion command)
    {
        if (TableBookmarkDecisions.Complete(bookmark, command.Version, command.StillToDo) is not { } decided)
        {
            Sender.Tell(State());
            return;
        }
        Persist(FileVersionCompletedEvent.From(decided), persisted =>
        {
            bookmark = TableBookmarkDecisions.Apply(bookmark, persisted.ToDomain());
            SnapshotWhenDue();
            Sender.Tell(State());
        });
    }

    private void HandleReset(ResetTable command)
    {
        Persist(new TableResetEvent(command.StartDate), persisted =>
        {
            bookmark = TableBookmarkDecisions.Apply(bookmark, persisted.ToDomain());
            SnapshotWhenDue();
            Sender.Tell(State());
        });
    }

    private void SnapshotWhenDue()
    {
        if (LastSequenceNr % SnapshotEvery == 0) SaveSnapshot(TableBookmarkSnapshot.Of(bookmark, startDate));
    }

    private BookmarkState State() => new(connectionId, table, TableBookmarkSnapshot.Of(bookmark, startDate));
}
