using System.Collections.Concurrent;
using Akka.Actor;
using ResponsysCluster.Domain.Bookmarks;
using ResponsysCluster.Engine.Bookmarks;
using static ResponsysCluster.Engine.Bookmarks.TableBookmarkProtocol;

namespace ResponsysCluster.Engine.Tests.Fakes;

/// <summary>
/// Bookmarks without a journal: every table starts empty (every file pending), completions are recorded and
/// answered at once, or held until the test releases them.
/// </summary>
public sealed class BookmarkStub : ReceiveActor
{
    private readonly List<(IActorRef ReplyTo, BookmarkState State)> held = [];
    private bool holding;

    public BookmarkStub(ConcurrentQueue<CompleteFileVersion> completed)
    {
        Receive<GetBookmark>(get => Sender.Tell(State(get.ConnectionId, get.Table)));
        Receive<CompleteFileVersion>(complete =>
        {
            completed.Enqueue(complete);
            if (holding) held.Add((Sender, State(complete.ConnectionId, complete.Table)));
            else Sender.Tell(State(complete.ConnectionId, complete.Table));
        });
        Receive<Hold>(_ => holding = true);
        Receive<Release>(_ =>
        {
            holding = false;
            foreach (var (replyTo, state) in held) replyTo.Tell(state);
            held.Clear();
        });
    }

    public static Props Props(ConcurrentQueue<CompleteFileVersion> completed) => Akka.Actor.Props.Create(() => new BookmarkStub(completed));

    private static BookmarkState State(string connectionId, string table) =>
        new(connectionId, table, TableBookmarkSnapshot.Of(TableBookmark.Start(null), null));

    /// <summary>Holds the answers to completions from now on.</summary>
    public sealed record Hold;

    /// <summary>Answers the held completions and stops holding.</summary>
    public sealed record Release;
}
