using Akka.Actor;
using static ResponsysCluster.Engine.Files.FileJobProtocol;

namespace ResponsysCluster.Engine.Files;

/// <summary>
/// Pulls file jobs from the run that announced work and loads one at a time: the load runs as a task piped back
/// to the actor, and the result goes to the run that handed the job out. Stopping the worker cancels the load; its
/// transaction then never commits, and the run offers the job again.
/// </summary>
public sealed class FileWorkerActor : ReceiveActor, IWithStash
{
    private readonly FileLoadService service;
    private readonly CancellationTokenSource stopping = new();
    private (IActorRef Run, Guid RunId)? announced;
    private bool busy;

    // One set of handlers with a flag rather than Become: a ReceiveActor compiles its handlers anew on every Become,
    // which here would be twice per file.
    public FileWorkerActor(FileLoadService service)
    {
        this.service = service;
        Receive<WorkAvailable>(HandleWorkAvailable);
        Receive<FileJob>(job =>
        {
            if (busy) Stash.Stash();
            else HandleJob(job);
        });
        Receive<Copied>(copied => Publish(copied.Job, copied.Rows, finished: false));
        Receive<Finished>(HandleFinished);
    }

    public IStash Stash { get; set; } = null!;

    public static Props Props(FileLoadService service) => Akka.Actor.Props.Create(() => new FileWorkerActor(service));

    protected override void PostStop()
    {
        stopping.Cancel();
        stopping.Dispose();
    }

    private void HandleWorkAvailable(WorkAvailable work)
    {
        announced = (Sender, work.RunId);
        // A busy worker asks the latest run that has work once the job in hand is done.
        if (!busy) Sender.Tell(new RequestWork(work.RunId));
    }

    private void HandleJob(FileJob job)
    {
        var owner = Sender;
        var self = Self;
        Publish(job, 0, finished: false);
        service.LoadAsync(job, rows => self.Tell(new Copied(job, rows)), stopping.Token).PipeTo(Self,
            success: result => new Finished(result, owner),
            failure: ex => new Finished(new FileJobFailed(job, new FileFailure(job.File.Path, FailureText.Of(ex)), TimeSpan.Zero), owner));
        busy = true;
    }

    private void HandleFinished(Finished finished)
    {
        var (job, rows) = finished.Result switch
        {
            FileJobSucceeded s => (s.Job, s.RowsLoaded),
            FileJobFailed f => (f.Job, 0L),
            _ => throw new InvalidOperationException($"Unexpected result {finished.Result.GetType().Name}"),
        };
        Publish(job, rows, finished: true);
        finished.Owner.Tell(finished.Result);
        busy = false;
        Stash.UnstashAll();
        if (announced is { } run) run.Run.Tell(new RequestWork(run.RunId));
    }

    private void Publish(FileJob job, long rows, bool finished) =>
        Context.System.EventStream.Publish(new FileProgress(job.ConnectionId, job.Table, job.File.Path, job.File.Size, rows, finished));

    private sealed record Finished(object Result, IActorRef Owner) : INoSerializationVerificationNeeded;

    private sealed record Copied(FileJob Job, long Rows) : INoSerializationVerificationNeeded;
}
