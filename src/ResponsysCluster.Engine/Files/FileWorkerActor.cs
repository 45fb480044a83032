using Akka.Actor;
using static ResponsysCluster.Engine.Files.FileJobProtocol;

namespace ResponsysCluster.Engine.Files;

/// <summary>
/// Loads one file job (or one batch of small files of a table) at a time for any run that announced work, asking those runs in turn (so that no connection
/// starves another): the load runs as a task piped back to the actor, and the result goes to the run that handed
/// the job out. A run that answers <see cref="NoWorkNow"/>, stops while asked, or does not answer within
/// <see cref="AnswerTimeout"/> is not asked again until it announces work again. Stopping the worker cancels the
/// load; its transaction then never commits, and the run offers the job again.
/// </summary>
public sealed class FileWorkerActor : ReceiveActor, IWithStash, IWithTimers
{
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Small files of one table a worker takes at once unless told otherwise: a feed's files ready together load in one transaction.</summary>
    public const int DefaultBatchFiles = 50;

    private const string AnswerTimer = "answer";

    private readonly Func<string, FileLoadService> loadsOf;
    private readonly int batchFiles;
    private readonly CancellationTokenSource stopping = new();
    // Runs that announced work and have not said they have none, in the order they are asked next.
    private readonly LinkedList<(IActorRef Run, Guid RunId)> runsWithWork = new();
    private (IActorRef Run, Guid RunId)? asking;
    private bool busy;

    // One set of handlers with flags rather than Become: a ReceiveActor compiles its handlers anew on every Become,
    // which here would be twice per file.
    /// <param name="batchFiles">Small files of one table this worker takes at once (1: one file at a time).</param>
    public FileWorkerActor(Func<string, FileLoadService> loadsOf, int batchFiles = 1)
    {
        this.loadsOf = loadsOf;
        this.batchFiles = batchFiles;
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
            else HandleJobs([job]);
        });
        Receive<FileJobBatch>(batch =>
        {
            if (busy) Stash.Stash();
            else HandleJobs(batch.Jobs);
        });
        Receive<Copied>(copied => Publish(copied.Job, copied.Rows, finished: false));
        Receive<Finished>(HandleFinished);
    }

    public IStash Stash { get; set; } = null!;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Func<string, FileLoadService> loadsOf, int batchFiles = 1) =>
        Akka.Actor.Props.Create(() => new FileWorkerActor(loadsOf, batchFiles));

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
        first.Value.Run.Tell(new RequestWork(first.Value.RunId, batchFiles));
        Timers.StartSingleTimer(AnswerTimer, new AnswerLate(first.Value.RunId), AnswerTimeout);
    }

    private void EndAsking()
    {
        Context.Unwatch(asking!.Value.Run);
        asking = null;
        Timers.Cancel(AnswerTimer);
    }

    private void HandleJobs(IReadOnlyList<FileJob> jobs)
    {
        var first = jobs[0];
        if (asking?.RunId == first.RunId) EndAsking();
        var owner = Sender;
        var self = Self;
        foreach (var job in jobs) Publish(job, 0, finished: false);
        var loads = loadsOf(first.ConnectionId);
        async Task<IReadOnlyList<object>> LoadOneAsync(CancellationToken token) =>
            [await loads.LoadAsync(first, rows => self.Tell(new Copied(first, rows)), token).ConfigureAwait(false)];
        var loading = jobs.Count == 1 ? LoadOneAsync(stopping.Token) : loads.LoadBatchAsync(jobs, stopping.Token);
        loading.PipeTo(Self,
            success: results => new Finished(results, owner),
            failure: ex => new Finished([.. jobs.Select(job => new FileJobFailed(job, new FileFailure(job.File.Path, FailureText.Of(ex)), TimeSpan.Zero))], owner));
        busy = true;
    }

    private void HandleFinished(Finished finished)
    {
        Guid? served = null;
        foreach (var result in finished.Results)
        {
            var (job, rows) = result switch
            {
                FileJobSucceeded s => (s.Job, s.RowsLoaded),
                FileJobFailed f => (f.Job, 0L),
                _ => throw new InvalidOperationException($"Unexpected result {result.GetType().Name}"),
            };
            Publish(job, rows, finished: true);
            finished.Owner.Tell(result);
            served = job.RunId;
        }
        busy = false;
        Stash.UnstashAll();
        // The run just served goes last, so that the next run with work is asked first.
        var run = runsWithWork.FirstOrDefault(r => r.RunId == served);
        if (run.Run is not null)
        {
            runsWithWork.Remove(run);
            runsWithWork.AddLast(run);
        }
        AskNext();
    }

    private void Publish(FileJob job, long rows, bool finished) =>
        Context.System.EventStream.Publish(new FileProgress(job.ConnectionId, job.Table, job.File.Path, job.File.Size, rows, finished));

    private sealed record Finished(IReadOnlyList<object> Results, IActorRef Owner) : INoSerializationVerificationNeeded;

    private sealed record Copied(FileJob Job, long Rows) : INoSerializationVerificationNeeded;

    private sealed record AnswerLate(Guid RunId) : INoSerializationVerificationNeeded;
}
