namespace ResponsysCluster.Postgres.Tests;

public sealed class DatabaseBudgetTests
{
    [Theory]
    [InlineData(3, 1)]
    [InlineData(4, 2)]
    [InlineData(9, 7)]
    public async Task Should_run_at_most_the_budget_less_the_lock_session_and_one_pooled_session_loads_at_once_and_the_rest_in_turn(int connections, int slots)
    {
        using var budget = new DatabaseBudget(connections);
        var release = new TaskCompletionSource();
        var running = 0;
        var most = 0;
        var loads = Enumerable.Range(0, 10).Select(_ => budget.LoadAsync(async () =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            await release.Task;
            Interlocked.Decrement(ref running);
            return now;
        }, CancellationToken.None)).ToList();

        await Task.Delay(200);
        var startedBeforeRelease = Volatile.Read(ref running);
        release.SetResult();
        await Task.WhenAll(loads);

        Assert.Equal(slots, budget.LoadSlots);
        Assert.Equal(slots, startedBeforeRelease);
        Assert.Equal(slots, most);
    }

    [Fact]
    public void Should_refuse_a_budget_below_three_and_bound_the_pool_to_the_budget_less_the_lock_session()
    {
        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => new DatabaseBudget(2));
        Assert.StartsWith("a budget is at least 3 connections", refused.Message);
        using var smallest = new DatabaseBudget(3);
        using var budget = new DatabaseBudget(7);

        Assert.Equal(2, smallest.PoolSessions);
        Assert.Equal(6, budget.PoolSessions);
        Assert.Contains("Maximum Pool Size=6", budget.Bound("Host=h;Username=u"));
        Assert.Contains("Timeout=120", budget.Bound("Host=h;Username=u"));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }
}
