using ResponsysCluster.Domain.Files;
using ResponsysCluster.Engine.Runs;
using static ResponsysCluster.Engine.Files.FileJobProtocol;

namespace ResponsysCluster.Engine.Tests;

public sealed class FileJobQueueTests
{
    private static readonly DateTimeOffset T = new(2024, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly Guid Run = Guid.NewGuid();

    private static FileJob Job(string table, string name, int attempt = 1, long size = 10) =>
        new(Run, "c", table, new RemoteFile("/x/" + name, name, size, T), new RemoteFile("/x/r", "r", 0, T), [], attempt);

    private static FileJob One(IReadOnlyList<FileJob> handed) => Assert.Single(handed);

    private const long Big = FileJobQueue<string>.SmallFileBytes + 1;

    [Fact]
    public void Should_hand_jobs_oldest_first_to_workers_in_the_order_they_ask()
    {
        var queue = new FileJobQueue<string>(maxInFlight: 5, maxAttempts: 3);
        queue.Enqueue([Job("A", "a1"), Job("B", "b1")]);
        Assert.Equal("a1", One(queue.Take("w2")).File.Name);
        Assert.Equal("b1", One(queue.Take("w1")).File.Name);
        Assert.Empty(queue.Take("w3"));
    }

    [Fact]
    public void Should_hand_no_more_than_the_cap_at_once()
    {
        var queue = new FileJobQueue<string>(maxInFlight: 2, maxAttempts: 3);
        queue.Enqueue([Job("A", "a1"), Job("A", "a2"), Job("A", "a3")]);
        Assert.Equal(["a1", "a2"], new[] { "w1", "w2" }.Select(w => One(queue.Take(w)).File.Name));
        Assert.False(queue.HasWorkToHand);
        Assert.Empty(queue.Take("w3"));
        Assert.Equal(2, queue.InFlightCount);
        Assert.True(queue.Finish("w1", Job("A", "a1")));
        Assert.True(queue.HasWorkToHand);
        Assert.Equal("a3", One(queue.Take("w3")).File.Name);
    }

    [Fact]
    public void Should_hand_nothing_more_to_a_worker_that_holds_a_job()
    {
        var queue = new FileJobQueue<string>(maxInFlight: 5, maxAttempts: 3);
        queue.Enqueue([Job("A", "a1"), Job("A", "a2")]);
        Assert.Single(queue.Take("w1"));
        Assert.Empty(queue.Take("w1"));
        Assert.Equal(1, queue.InFlightCount);
        Assert.True(queue.HasWorkToHand);
    }

    [Fact]
    public void Should_have_no_work_to_hand_when_nothing_is_queued()
    {
        var queue = new FileJobQueue<string>(maxInFlight: 5, maxAttempts: 3);
        Assert.False(queue.HasWorkToHand);
        Assert.True(queue.IsDrained);
        queue.Enqueue([Job("A", "a1")]);
        Assert.True(queue.HasWorkToHand);
        Assert.False(queue.IsDrained);
    }

    [Fact]
    public void Should_put_the_job_of_a_lost_worker_first_as_the_next_attempt()
    {
        var queue = new FileJobQueue<string>(maxInFlight: 5, maxAttempts: 3);
        queue.Enqueue([Job("A", "a1"), Job("A", "a2")]);
        queue.Take("w1");
        var (lost, retry) = Assert.Single(queue.Lose("w1"));
        Assert.Equal((1, 2), (lost.Attempt, retry!.Attempt));
        var handed = One(queue.Take("w2"));
        Assert.Equal(("a1", 2), (handed.File.Name, handed.Attempt));
    }

    [Fact]
    public void Should_give_a_job_up_at_the_last_attempt()
    {
        var queue = new FileJobQueue<string>(maxInFlight: 5, maxAttempts: 2);
        queue.Enqueue([Job("A", "a1", attempt: 2)]);
        queue.Take("w1");
        var (lost, retry) = Assert.Single(queue.Lose("w1"));
        Assert.Equal(2, lost.Attempt);
        Assert.Null(retry);
        Assert.True(queue.IsDrained);
    }

    [Fact]
    public void Should_refuse_the_result_of_an_attempt_the_worker_no_longer_holds()
    {
        var queue = new FileJobQueue<string>(maxInFlight: 5, maxAttempts: 3);
        queue.Enqueue([Job("A", "a1")]);
        queue.Take("w1");
        queue.Lose("w1");
        queue.Take("w2");
        Assert.False(queue.Finish("w1", Job("A", "a1")));
        Assert.False(queue.Finish("w2", Job("A", "a1")));
        Assert.True(queue.Holds("w2", Job("A", "a1", attempt: 2)));
        Assert.True(queue.Finish("w2", Job("A", "a1", attempt: 2)));
        Assert.True(queue.IsDrained);
    }

    [Fact]
    public void Should_lose_nothing_for_a_worker_that_held_no_job()
    {
        var queue = new FileJobQueue<string>(maxInFlight: 5, maxAttempts: 3);
        queue.Enqueue([Job("A", "a1")]);
        Assert.Empty(queue.Lose("w1"));
        Assert.Equal("a1", One(queue.Take("w2")).File.Name);
    }

    [Fact]
    public void Should_take_a_result_only_for_the_very_job_and_attempt_the_worker_holds()
    {
        var queue = new FileJobQueue<string>(maxInFlight: 5, maxAttempts: 3);
        queue.Enqueue([Job("A", "a1"), Job("A", "a2")]);
        queue.Take("w1");
        Assert.False(queue.Holds("w2", Job("A", "a1")));
        Assert.False(queue.Holds("w1", Job("A", "a2")));
        Assert.False(queue.Finish("w1", Job("A", "a2")));
        Assert.False(queue.Finish("w1", Job("B", "a1")));
        Assert.False(queue.Finish("w1", Job("A", "a1") with { RunId = Guid.NewGuid() }));
        Assert.True(queue.Holds("w1", Job("A", "a1")));
        Assert.True(queue.Finish("w1", Job("A", "a1")));
        Assert.False(queue.Holds("w1", Job("A", "a1")));
    }

    [Fact]
    public void Should_batch_the_small_files_of_the_oldest_job_table_up_to_the_worker_maximum_leaving_others_queued()
    {
        var queue = new FileJobQueue<string>(maxInFlight: 5, maxAttempts: 3);
        queue.Enqueue([Job("A", "a1"), Job("B", "b1"), Job("A", "a2", size: Big), Job("A", "a3"), Job("A", "a4"), Job("A", "a5")]);

        var batch = queue.Take("w1", maxFiles: 3);

        Assert.Equal(["a1", "a3", "a4"], batch.Select(j => j.File.Name));
        Assert.Equal(1, queue.InFlightCount);
        Assert.Equal(["b1", "a2", "a5"], new[] { "w2", "w3", "w4" }.Select(w => One(queue.Take(w, maxFiles: 3)).File.Name));
    }

    [Fact]
    public void Should_hand_a_big_file_alone_even_to_a_worker_that_takes_batches()
    {
        var queue = new FileJobQueue<string>(maxInFlight: 5, maxAttempts: 3);
        queue.Enqueue([Job("A", "a1", size: Big), Job("A", "a2"), Job("A", "a3")]);

        Assert.Equal("a1", One(queue.Take("w1", maxFiles: 10)).File.Name);
        Assert.Equal(["a2", "a3"], queue.Take("w2", maxFiles: 10).Select(j => j.File.Name));
    }

    [Fact]
    public void Should_count_a_batch_as_one_download_and_free_its_worker_once_every_file_of_it_is_answered()
    {
        var queue = new FileJobQueue<string>(maxInFlight: 1, maxAttempts: 3);
        queue.Enqueue([Job("A", "a1"), Job("A", "a2"), Job("A", "a3")]);
        queue.Take("w1", maxFiles: 2);

        Assert.False(queue.HasWorkToHand);
        Assert.True(queue.Finish("w1", Job("A", "a2")));
        Assert.False(queue.HasWorkToHand);
        Assert.True(queue.Holds("w1", Job("A", "a1")));
        Assert.True(queue.Finish("w1", Job("A", "a1")));
        Assert.True(queue.HasWorkToHand);
        Assert.Equal("a3", One(queue.Take("w2", maxFiles: 2)).File.Name);
    }

    [Fact]
    public void Should_put_every_unanswered_job_of_a_lost_batch_back_first_in_its_order_as_next_attempts()
    {
        var queue = new FileJobQueue<string>(maxInFlight: 5, maxAttempts: 2);
        queue.Enqueue([Job("A", "a1"), Job("A", "a2", attempt: 2), Job("A", "a3"), Job("A", "a4")]);
        queue.Take("w1", maxFiles: 3);
        queue.Finish("w1", Job("A", "a1"));

        var lost = queue.Lose("w1");

        Assert.Equal([("a2", (int?)null), ("a3", 2)], lost.Select(l => (l.Lost.File.Name, l.Retry?.Attempt)));
        Assert.Equal(["a3", "a4"], queue.Take("w2", maxFiles: 5).Select(j => j.File.Name));
    }
}
