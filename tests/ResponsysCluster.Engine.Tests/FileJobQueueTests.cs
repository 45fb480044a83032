using ResponsysCluster.Domain.Files;
using ResponsysCluster.Engine.Runs;
using static ResponsysCluster.Engine.Files.FileJobProtocol;

namespace ResponsysCluster.Engine.Tests;

public sealed class FileJobQueueTests
{
    private static readonly DateTimeOffset T = new(2024, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly Guid Run = Guid.NewGuid();

    private static FileJob Job(string table, string name, int attempt = 1) =>
        new(Run, "c", table, new RemoteFile("/x/" + name, name, 10, T), new RemoteFile("/x/r", "r", 0, T), [], attempt);

    [Fact]
    public void Should_hand_jobs_oldest_first_to_workers_in_the_order_they_asked()
    {
        var queue = new FileJobQueue<string>(maxInFlight: 5, maxAttempts: 3);
        queue.Enqueue([Job("A", "a1"), Job("B", "b1")]);
        queue.Request("w2");
        queue.Request("w1");
        Assert.Equal([("w2", "a1"), ("w1", "b1")], queue.Dispatch().Select(h => (h.Worker, h.Job.File.Name)));
    }

    [Fact]
    public void Should_hand_no_more_than_the_cap_at_once()
    {
        var queue = new FileJobQueue<string>(maxInFlight: 2, maxAttempts: 3);
        queue.Enqueue([Job("A", "a1"), Job("A", "a2"), Job("A", "a3")]);
        foreach (var worker in new[] { "w1", "w2", "w3" }) queue.Request(worker);
        Assert.Equal(2, queue.Dispatch().Count);
        Assert.Equal(2, queue.InFlightCount);
        Assert.True(queue.Finish("w1", Job("A", "a1")));
        Assert.Equal(("w3", "a3"), queue.Dispatch().Select(h => (h.Worker, h.Job.File.Name)).Single());
    }

    [Fact]
    public void Should_ignore_a_second_request_of_a_worker_that_holds_a_job_or_already_waits()
    {
        var queue = new FileJobQueue<string>(maxInFlight: 5, maxAttempts: 3);
        queue.Request("w1");
        queue.Request("w1");
        queue.Enqueue([Job("A", "a1"), Job("A", "a2")]);
        Assert.Single(queue.Dispatch());
        queue.Request("w1");
        Assert.Empty(queue.Dispatch());
    }

    [Fact]
    public void Should_put_the_job_of_a_lost_worker_first_as_the_next_attempt()
    {
        var queue = new FileJobQueue<string>(maxInFlight: 5, maxAttempts: 3);
        queue.Enqueue([Job("A", "a1"), Job("A", "a2")]);
        queue.Request("w1");
        queue.Dispatch();
        var (lost, retry) = queue.Lose("w1")!.Value;
        Assert.Equal((1, 2), (lost.Attempt, retry!.Attempt));
        queue.Request("w2");
        var handed = queue.Dispatch().Single();
        Assert.Equal(("a1", 2), (handed.Job.File.Name, handed.Job.Attempt));
    }

    [Fact]
    public void Should_give_a_job_up_at_the_last_attempt()
    {
        var queue = new FileJobQueue<string>(maxInFlight: 5, maxAttempts: 2);
        queue.Enqueue([Job("A", "a1", attempt: 2)]);
        queue.Request("w1");
        queue.Dispatch();
        var (lost, retry) = queue.Lose("w1")!.Value;
        Assert.Equal(2, lost.Attempt);
        Assert.Null(retry);
        Assert.True(queue.IsDrained);
    }

    [Fact]
    public void Should_refuse_the_result_of_an_attempt_the_worker_no_longer_holds()
    {
        var queue = new FileJobQueue<string>(maxInFlight: 5, maxAttempts: 3);
        queue.Enqueue([Job("A", "a1")]);
        queue.Request("w1");
        queue.Dispatch();
        queue.Lose("w1");
        queue.Request("w2");
        queue.Dispatch();
        Assert.False(queue.Finish("w1", Job("A", "a1")));
        Assert.False(queue.Finish("w2", Job("A", "a1")));
        Assert.True(queue.Holds("w2", Job("A", "a1", attempt: 2)));
        Assert.True(queue.Finish("w2", Job("A", "a1", attempt: 2)));
        Assert.True(queue.IsDrained);
    }

    [Fact]
    public void Should_forget_a_waiting_worker_that_is_lost()
    {
        var queue = new FileJobQueue<string>(maxInFlight: 5, maxAttempts: 3);
        queue.Request("w1");
        Assert.Null(queue.Lose("w1"));
        queue.Enqueue([Job("A", "a1")]);
        Assert.Empty(queue.Dispatch());
        Assert.False(queue.IsDrained);
    }

    [Fact]
    public void Should_take_a_result_only_for_the_very_job_and_attempt_the_worker_holds()
    {
        var queue = new FileJobQueue<string>(maxInFlight: 5, maxAttempts: 3);
        queue.Enqueue([Job("A", "a1"), Job("A", "a2")]);
        queue.Request("w1");
        queue.Dispatch();
        Assert.False(queue.Holds("w2", Job("A", "a1")));
        Assert.False(queue.Holds("w1", Job("A", "a2")));
        Assert.False(queue.Finish("w1", Job("A", "a2")));
        Assert.False(queue.Finish("w1", Job("B", "a1")));
        Assert.False(queue.Finish("w1", Job("A", "a1") with { RunId = Guid.NewGuid() }));
        Assert.True(queue.Holds("w1", Job("A", "a1")));
        Assert.True(queue.Finish("w1", Job("A", "a1")));
        Assert.False(queue.Holds("w1", Job("A", "a1")));
    }
}
