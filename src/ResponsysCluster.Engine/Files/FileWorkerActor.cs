using Akka.Actor;
using static ResponsysCluster.Engine.Files.FileJobProtocol;

namespace ResponsysCluster.Engine.Files;

/// <summary>
/// Loads one file job at a time for any run that announced work, asking those runs in turn (so that no connection
/// starves another): the load runs as a task piped back to the actor, and the result goes to the run that handed
/// the job out. A run that answers <see cref="NoWorkNow"/>, stops while asked, or does not answer within
/// <see cref="AnswerTimeout"/> is not asked again until it announces work again. Stopping the worker cancels the
/// load; its transaction then never commits, and the run offers the job again.
/// </summary>
public sealed class FileWorkerActor : ReceiveActor, IWithStash, IWithTimers
{
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(10);

    private const string AnswerTimer = "answer";

    private readonly Func<string, FileLoadService> loadsOf;
    private readonly CancellationTokenSource stopping = new();
    // Runs that announced work and have not said they have none, in the order they are asked next.
    private readonly LinkedList<(IActorRef Run, Guid RunId)> runsWithWork = new();
    private (IActorRef Run, Guid RunId)? asking;
    private bool busy;

    // One set of handlers with flags rather than Become: a ReceiveActor compiles its handlers anew on every Become,
    // which here would be twice per file.
    public FileWorkerActor(Func<string, FileLoadService> loadsOf)
    {
        this.loadsOf = loadsOf;
        Receive<WorkAvailable>(HandleWorkAvailable);
        Receive<NoWorkNow>(none => StopAsking(none.RunId));
        Receive<AnswerLate>(late => StopAsking(late.RunId));
        Receive<Terminated>(gone =>
        {
            if (runsWithWork.FirstOrDefault(r => r.Run.Equals(gone.ActorRef)) is { Run: not null } run) StopAsking(run.RunId);
        });
        Receive<FileJob>(job =>
        {
            if (busy) Stash.Stash();
            else HandleJob(job);
        });
        Receive<Copied>(copied => Publish(copied.Job, copied.Rows, finished: false));
        Receive<Finished>(HandleFinished);
    }

    public IStash Stash { get; set; } = null!;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Func<string, FileLoadService> loadsOf) => Akka.Actor.Props.Create(() => new FileWorkerActor(loadsOf));

    protected override void PostStop()
    {
        stopping.Cancel();
        stopping.Dispose();
    }

    private void HandleWorkAvailable(WorkAvailable work)
    {
        if (!runsWithWork.Any(r => r.RunId == work.RunId)) runsWithWork.AddLast((Sender, work.RunId));
        AskNext();
    }

    /// <summary>The run asked has no job (or did not answer): it is left out until it announces work again.</summary>
    private void StopAsking(Guid runId)
    {
        var run = runsWithWork.FirstOrDefault(r => r.RunId == runId);
        if (run.Run is not null) runsWithWork.Remove(run);
        if (asking?.RunId != runId) return;
        EndAsking();
        AskNext();
    }

    /// <summary>A free worker asks the run whose turn it is, then puts that run last.</summary>
    private void AskNext()
    {
        if (busy || asking is not null || runsWithWork.First is not { } first) return;
        runsWithWork.RemoveFirst();
        runsWithWork.AddLast(first.Value);
        asking = first.Value;
        // Watched while asked, so that a run that ended (or whose node went) is skipped at once.
        Context.Watch(first.Value.Run);
        first.Value.Run.Tell(new RequestWork(first.Value.RunId));
        Timers.StartSingleTimer(AnswerTimer, new AnswerLate(first.Value.RunId), AnswerTimeout);
    }

    private void EndAsking()
    {
        Context.Unwatch(asking!.Value.Run);
        asking = null;
        Timers.Cancel(AnswerTimer);
    }

    private void HandleJob(FileJob job)
    {
        if (asking?.RunId == job.RunId) EndAsking();
        var owner = Sender;
        var self = Self;
        Publish(job, 0, finished: false);
        loadsOf(job.ConnectionId).LoadAsync(job, rows => self.Tell(new Copied(job, rows)), stopping.Token).PipeTo(Self,
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
        // The run just served goes last, so that the next run with work is asked first.
        var served = runsWithWork.FirstOrDefault(r => r.RunId == job.RunId);
        if (served.Run is not null)
        {
            runsWithWork.Remove(served);
            runsWithWork.AddLast(served);
        }
        AskNext();
    }

    private void Publish(FileJob job, long rows, bool finished) =>
        Context.System.EventStream.Publish(new FileProgress(job.ConnectionId, job.Table, job.File.Path, job.File.Size, rows, finished));

    private sealed record Finished(object Result, IActorRef Owner) : INoSerializationVerificationNeeded;

    private sealed record Copied(FileJob Job, long Rows) : INoSerializationVerificationNeeded;

    private sealed record AnswerLate(Guid RunId) : INoSerializationVerificationNeeded;
}
