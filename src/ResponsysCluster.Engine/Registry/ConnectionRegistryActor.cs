using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Persistence;
using ResponsysCluster.Domain.Registry;
using static ResponsysCluster.Engine.Registry.ConnectionRegistryProtocol;

namespace ResponsysCluster.Engine.Registry;

/// <summary>
/// The cluster's connections, event-sourced (one per cluster, a singleton): decides with the pure
/// <see cref="ConnectionRegistry"/>, persists, answers, and publishes each change to every node's
/// <see cref="ConnectionDirectoryActor"/>.
/// </summary>
public sealed class ConnectionRegistryActor : ReceivePersistentActor
{
    public const string Id = "connection-registry";
    public const int SnapshotEvery = 100;

    private readonly IActorRef mediator;
    private readonly ILoggingAdapter log = Context.GetLogger();
    private ConnectionRegistry registry = ConnectionRegistry.Empty;

    /// <param name="mediator">The cluster's pub-sub mediator, which takes each change to every node.</param>
    public ConnectionRegistryActor(IActorRef mediator)
    {
        this.mediator = mediator;
        Recover<SnapshotOffer>(offer => registry = ((ConnectionRegistrySnapshot)offer.Snapshot).ToRegistry());
        Recover<ConnectionRegistryEvent>(e => registry = registry.Apply(e.ToDomain()));

        Command<SaveConnection>(save => Decide(save.Id, r => r.Save(save.Id, save.Json)));
        Command<PauseConnection>(pause => Decide(pause.Id, r => r.Pause(pause.Id)));
        Command<ResumeConnection>(resume => Decide(resume.Id, r => r.Resume(resume.Id)));
        Command<RemoveConnection>(remove => Decide(remove.Id, r => r.Remove(remove.Id)));
        Command<GetConnections>(_ => Sender.Tell(new RegistryContents([.. registry.Connections.Values], registry.Revision)));
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => log.Warning(f.Cause, "Snapshot of the connection registry failed"));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => log.Warning(f.Cause, "Deleting old snapshots of the connection registry failed"));
    }

    public override string PersistenceId => Id;

    public static Props Props(IActorRef mediator) => Akka.Actor.Props.Create(() => new ConnectionRegistryActor(mediator));

    private void Decide(string id, Func<ConnectionRegistry, RegistryEvent?> decide)
    {
        RegistryEvent? change;
        try
        {
            change = decide(registry);
        }
        catch (UnknownConnectionException ex)
        {
            Sender.Tell(new RegistryAnswer(id, false, null, ex.Message));
            return;
        }
        if (change is null)
        {
            Sender.Tell(new RegistryAnswer(id, false, registry.Find(id)));
            return;
        }
        Persist(ConnectionRegistryEvent.From(change), persisted =>
        {
            registry = registry.Apply(persisted.ToDomain());
            if (LastSequenceNr % SnapshotEvery == 0) SaveSnapshot(ConnectionRegistrySnapshot.Of(registry));
            var now = registry.Find(id);
            mediator.Tell(new Publish(ConnectionDirectoryActor.Topic, new ConnectionUpdated(id, now, registry.Revision)));
            Sender.Tell(new RegistryAnswer(id, true, now));
        });
    }
}
