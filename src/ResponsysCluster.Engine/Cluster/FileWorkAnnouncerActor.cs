using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using static ResponsysCluster.Engine.Files.FileJobProtocol;

namespace ResponsysCluster.Engine.Cluster;

/// <summary>
/// Where a run on a cluster announces its work: published on <see cref="Topic"/>, which the file-worker pool of
/// every node subscribes to, with the run as the sender so that the workers ask it directly.
/// </summary>
public sealed class FileWorkAnnouncerActor : ReceiveActor
{
    public const string Topic = "file-work";

    public FileWorkAnnouncerActor(IActorRef mediator) =>
        Receive<WorkAvailable>(work => mediator.Tell(new Publish(Topic, work), Sender));

    public static Props Props(IActorRef mediator) => Akka.Actor.Props.Create(() => new FileWorkAnnouncerActor(mediator));
}
