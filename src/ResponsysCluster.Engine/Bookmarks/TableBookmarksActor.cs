using Akka.Actor;
using static ResponsysCluster.Engine.Bookmarks.TableBookmarkProtocol;

namespace ResponsysCluster.Engine.Bookmarks;

/// <summary>
/// Routes bookmark commands to one child per (connection, table), created on first use. On a cluster this role
/// passes to sharding; the commands already carry the key it needs.
/// </summary>
public sealed class TableBookmarksActor : ReceiveActor
{
    public TableBookmarksActor(Func<string, DateTimeOffset?> startDateOf)
    {
        Receive<ITableBookmarkCommand>(command =>
        {
            var name = Uri.EscapeDataString(PersistenceId(command.ConnectionId, command.Table));
            var child = Context.Child(name);
            if (child.IsNobody())
                child = Context.ActorOf(TableBookmarkActor.Props(command.ConnectionId, command.Table, startDateOf(command.ConnectionId)), name);
            child.Forward(command);
        });
    }

    public static Props Props(Func<string, DateTimeOffset?> startDateOf) => Akka.Actor.Props.Create(() => new TableBookmarksActor(startDateOf));
}
