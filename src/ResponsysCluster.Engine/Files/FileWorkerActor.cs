using Akka.Actor;
using static ResponsysCluster.Engine.Files.FileJobProtocol;

namespace ResponsysCluster.Engine.Files;

/// <summary>
/// Loads one file at a time: the work runs as a task piped back to the actor, and jobs that arrive meanwhile
/// wait in the stash. Stopping the worker cancels the load; its transaction then never commits.
/// </summary>
public sealed class FileWorkerActor : ReceiveActor, IWithStash
{
    private readonly FileLoadService service;
    private readonly CancellationTokenSource stopping = new();

    public FileWorkerActor(FileLoadService service)
    {
        this.service = service;
        Become(Idle);
    }

    public IStash Stash { get; set; } = null!;

    public static Props Props(FileLoadService service) => Akka.Actor.Props.Create(() => new FileWorkerActor(service));

    protected override void PostStop()
    {
        stopping.Cancel();
        stopping.Dispose();
    }

    private void Idle()
    {
        Receive<LoadFile>(job =>
        {
            var replyTo = Sender;
            var self = Self;
            Publish(job, 0, finished: false);
            service.LoadAsync(job, rows => self.Tell(new Copied(job, rows)), stopping.Token).PipeTo(Self,
                success: result => new Finished(result, replyTo),
                failure: ex => new Finished(new FileJobFailed(job, $"{job.File.Path}: {ex.Message}", TimeSpan.Zero), replyTo));
            Become(Loading);
        });
    }

    private void Loading()
    {
        Receive<LoadFile>(_ => Stash.Stash());
        Receive<Copied>(copied => Publish(copied.Job, copied.Rows, finished: false));
        Receive<Finished>(finished =>
        {
            var (job, rows) = finished.Result switch
            {
                FileJobSucceeded s => (s.Job, s.RowsLoaded),
                FileJobFailed f => (f.Job, 0L),
                _ => throw new InvalidOperationException($"Unexpected result {finished.Result.GetType().Name}"),
            };
            Publish(job, rows, finished: true);
            finished.ReplyTo.Tell(finished.Result);
            Stash.UnstashAll();
            Become(Idle);
        });
    }

    private void Publish(LoadFile job, long rows, bool finished) =>
        Context.System.EventStream.Publish(new FileProgress(job.ConnectionId, job.Table, job.File.Path, job.File.Size, rows, finished));

    private sealed record Finished(object Result, IActorRef ReplyTo) : INoSerializationVerificationNeeded;

    private sealed record Copied(LoadFile Job, long Rows) : INoSerializationVerificationNeeded;
}
