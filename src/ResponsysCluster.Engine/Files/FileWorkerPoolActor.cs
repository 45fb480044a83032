using Akka.Actor;
using Akka.Event;
using static ResponsysCluster.Engine.Files.FileJobProtocol;

namespace ResponsysCluster.Engine.Files;

/// <summary>
/// A node's file workers: a fixed number of them, whatever the number of connections, so that the node's SFTP
/// sessions and database loads stay bounded. It passes every <see cref="WorkAvailable"/> on to each worker (the
/// run stays the sender), for the connections this node can load, and replaces a worker that stopped; the run
/// that worker held a job for offers it again, and the new worker hears of the latest runs that announced work.
/// </summary>
public sealed class FileWorkerPoolActor : ReceiveActor
{
    private const int RememberedRuns = 64;

    private readonly Func<string, FileLoadService?> loadsOf;
    private readonly int batchFiles;
    private readonly ILoggingAdapter log = Context.GetLogger();
    private readonly HashSet<string> unknownConnections = new(StringComparer.Ordinal);
    private readonly List<IActorRef> workers = [];
    // The latest announcement of each of the latest runs, replayed to a replacement worker: an announcement that
    // reached the stopped worker would otherwise be lost. Runs that ended since answer "no work" or are gone.
    private readonly LinkedList<(IActorRef Run, WorkAvailable Work)> latestAnnouncements = new();
    private int workersStarted;

    /// <param name="batchFiles">Small files of one table a worker takes at once (see <see cref="FileWorkerActor"/>).</param>
    public FileWorkerPoolActor(int size, Func<string, FileLoadService?> loadsOf, int batchFiles)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "a node needs at least one file worker");
        this.loadsOf = loadsOf;
        this.batchFiles = batchFiles;
        for (var i = 0; i < size; i++) workers.Add(StartWorker());
        Receive<WorkAvailable>(HandleWorkAvailable);
        Receive<Terminated>(terminated =>
        {
            var index = workers.IndexOf(terminated.ActorRef);
            if (index < 0) return;
            workers[index] = StartWorker();
            foreach (var (run, work) in latestAnnouncements) workers[index].Tell(work, run);
        });
    }

    public static Props Props(int size, Func<string, FileLoadService?> loadsOf, int batchFiles = FileWorkerActor.DefaultBatchFiles) =>
        Akka.Actor.Props.Create(() => new FileWorkerPoolActor(size, loadsOf, batchFiles));

    /// <summary>A worker that throws is stopped and replaced, never restarted: a restarted one would forget the job it held.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    private void HandleWorkAvailable(WorkAvailable work)
    {
        if (loadsOf(work.ConnectionId) is null)
        {
            // Another node's connection this node has no settings for: its own workers serve it.
            if (unknownConnections.Add(work.ConnectionId))
                log.Warning("Connection {0} has work but is not known on this node; its jobs are left to the nodes that know it", work.ConnectionId);
            return;
        }
        foreach (var worker in workers) worker.Forward(work);
        if (latestAnnouncements.FirstOrDefault(a => a.Work.RunId == work.RunId) is { Run: not null } earlier) latestAnnouncements.Remove(earlier);
        latestAnnouncements.AddLast((Sender, work));
        if (latestAnnouncements.Count > RememberedRuns) latestAnnouncements.RemoveFirst();
    }

    private IActorRef StartWorker() =>
        Context.Watch(Context.ActorOf(FileWorkerActor.Props(connectionId => loadsOf(connectionId)!, batchFiles), $"file-worker-{++workersStarted}"));
}
