using static ResponsysCluster.Engine.Files.FileJobProtocol;

namespace ResponsysCluster.Engine.Runs;

/// <summary>
/// The file jobs of one run: queued oldest first, handed one at a time to a worker that asks, at most
/// <c>maxInFlight</c> at once, and given back to the front of the queue as a later attempt when the worker holding
/// one is lost, up to <c>maxAttempts</c> attempts. A worker that asks when nothing can be handed is told so at once
/// rather than kept waiting: workers serve every run of their node, and one kept waiting here would be missed by
/// the others. Pure bookkeeping; the run actor does the messaging.
/// </summary>
public sealed class FileJobQueue<TWorker>(int maxInFlight, int maxAttempts) where TWorker : notnull
{
    private readonly LinkedList<FileJob> queued = new();
    private readonly Dictionary<TWorker, FileJob> inFlight = new();

    /// <summary>No job queued and none held by a worker.</summary>
    public bool IsDrained => queued.Count == 0 && inFlight.Count == 0;

    /// <summary>A worker that asked now would get a job: one is queued and the cap leaves room.</summary>
    public bool HasWorkToHand => queued.Count > 0 && inFlight.Count < maxInFlight;

    public int InFlightCount => inFlight.Count;

    public void Enqueue(IEnumerable<FileJob> jobs)
    {
        foreach (var job in jobs) queued.AddLast(job);
    }

    /// <summary>
    /// Hands the oldest queued job to <paramref name="worker"/>, or null when none is queued, the cap is reached, or
    /// the worker already holds one (a second request of the same worker is a duplicate).
    /// </summary>
    public FileJob? Take(TWorker worker)
    {
        if (!HasWorkToHand || inFlight.ContainsKey(worker)) return null;
        var job = queued.First!.Value;
        queued.RemoveFirst();
        inFlight[worker] = job;
        return job;
    }

    /// <summary>
    /// A worker answers for a job: true when it is the attempt that worker holds (the job is then done with),
    /// false for a result of an attempt given up on or handed elsewhere, which is ignored.
    /// </summary>
    public bool Finish(TWorker worker, FileJob job)
    {
        if (!inFlight.TryGetValue(worker, out var held) || !SameAttempt(held, job)) return false;
        inFlight.Remove(worker);
        return true;
    }

    /// <summary>
    /// The worker stopped or timed out: the job it held goes back to the front of the queue as the next attempt
    /// (<c>Retry</c>), or, after <c>maxAttempts</c>, is given up (<c>Retry</c> null). Null when the worker held nothing.
    /// </summary>
    public (FileJob Lost, FileJob? Retry)? Lose(TWorker worker)
    {
        if (!inFlight.Remove(worker, out var job)) return null;
        if (job.Attempt >= maxAttempts) return (job, null);
        var retry = job with { Attempt = job.Attempt + 1 };
        queued.AddFirst(retry);
        return (job, retry);
    }

    /// <summary>Whether <paramref name="worker"/> still holds exactly this attempt of the job.</summary>
    public bool Holds(TWorker worker, FileJob job) => inFlight.TryGetValue(worker, out var held) && SameAttempt(held, job);

    private static bool SameAttempt(FileJob a, FileJob b) =>
        a.Table == b.Table && a.File.Path == b.File.Path && a.Attempt == b.Attempt && a.RunId == b.RunId;
}
