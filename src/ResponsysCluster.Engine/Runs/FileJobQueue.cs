using static ResponsysCluster.Engine.Files.FileJobProtocol;

namespace ResponsysCluster.Engine.Runs;

/// <summary>
/// The file jobs of one run: queued oldest first, handed to a worker that asks, at most <c>maxInFlight</c> workers
/// holding jobs at once, and given back to the front of the queue as later attempts when the worker holding them is
/// lost, up to <c>maxAttempts</c> attempts. A worker gets one job, or, when it takes batches and the oldest job is a
/// small file, that job with the other small files of its table queued (one download at a time over one session,
/// loaded in one transaction). A worker that asks when nothing can be handed is told so at once rather than kept
/// waiting: workers serve every run of their node, and one kept waiting here would be missed by the others. Pure
/// bookkeeping; the run actor does the messaging.
/// </summary>
public sealed class FileJobQueue<TWorker>(int maxInFlight, int maxAttempts) where TWorker : notnull
{
    /// <summary>Files up to this size may share a batch: event feeds of a few hundred rows a file.</summary>
    public const long SmallFileBytes = 1024 * 1024;

    private readonly LinkedList<FileJob> queued = new();
    private readonly Dictionary<TWorker, List<FileJob>> inFlight = new();

    /// <summary>No job queued and none held by a worker.</summary>
    public bool IsDrained => queued.Count == 0 && inFlight.Count == 0;

    /// <summary>A worker that asked now would get a job: one is queued and the cap leaves room.</summary>
    public bool HasWorkToHand => queued.Count > 0 && inFlight.Count < maxInFlight;

    /// <summary>Workers holding jobs: each is one download at a time.</summary>
    public int InFlightCount => inFlight.Count;

    public void Enqueue(IEnumerable<FileJob> jobs)
    {
        foreach (var job in jobs) queued.AddLast(job);
    }

    /// <summary>
    /// Hands the oldest queued job to <paramref name="worker"/> (with up to <paramref name="maxFiles"/> − 1 more small
    /// files of its table when it is small), or nothing when none is queued, the cap is reached, or the worker
    /// already holds jobs (a second request of the same worker is a duplicate).
    /// </summary>
    public IReadOnlyList<FileJob> Take(TWorker worker, int maxFiles = 1)
    {
        if (!HasWorkToHand || inFlight.ContainsKey(worker)) return [];
        var first = queued.First!.Value;
        queued.RemoveFirst();
        var batch = new List<FileJob> { first };
        for (var node = queued.First; node is not null && batch.Count < maxFiles && first.File.Size <= SmallFileBytes;)
        {
            var next = node.Next;
            if (node.Value.Table == first.Table && node.Value.File.Size <= SmallFileBytes)
            {
                batch.Add(node.Value);
                queued.Remove(node);
            }
            node = next;
        }
        inFlight[worker] = batch;
        return batch;
    }

    /// <summary>
    /// A worker answers for a job: true when it is an attempt that worker holds (the job is then done with),
    /// false for a result of an attempt given up on or handed elsewhere, which is ignored.
    /// </summary>
    public bool Finish(TWorker worker, FileJob job)
    {
        if (!inFlight.TryGetValue(worker, out var held) || held.FindIndex(h => SameAttempt(h, job)) is not (>= 0 and var index)) return false;
        held.RemoveAt(index);
        if (held.Count == 0) inFlight.Remove(worker);
        return true;
    }

    /// <summary>
    /// The worker stopped or timed out: each job it held goes back to the front of the queue (in its order) as the
    /// next attempt (<c>Retry</c>), or, after <c>maxAttempts</c>, is given up (<c>Retry</c> null). Empty when the
    /// worker held nothing.
    /// </summary>
    public IReadOnlyList<(FileJob Lost, FileJob? Retry)> Lose(TWorker worker)
    {
        if (!inFlight.Remove(worker, out var jobs)) return [];
        var lost = jobs.Select(job => (job, job.Attempt >= maxAttempts ? null : job with { Attempt = job.Attempt + 1 })).ToList();
        foreach (var (_, retry) in Enumerable.Reverse(lost))
            if (retry is not null) queued.AddFirst(retry);
        return lost;
    }

    /// <summary>Whether <paramref name="worker"/> still holds exactly this attempt of the job.</summary>
    public bool Holds(TWorker worker, FileJob job) => inFlight.TryGetValue(worker, out var held) && held.Exists(h => SameAttempt(h, job));

    private static bool SameAttempt(FileJob a, FileJob b) =>
        a.Table == b.Table && a.File.Path == b.File.Path && a.Attempt == b.Attempt && a.RunId == b.RunId;
}
