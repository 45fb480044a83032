namespace ResponsysCluster.Postgres.Tests;

public sealed class DatabaseBudgetTests
{
    [Theory]
    [InlineData(2, 1)]
    [InlineData(4, 3)]
    public async Task Should_run_at_most_all_but_one_of_the_budget_loads_at_once_and_the_rest_in_turn(int connections, int slots)
    {
        using var budget = new DatabaseBudget(connections);
        var release = new TaskCompletionSource();
        var running = 0;
        var most = 0;
        var loads = Enumerable.Range(0, 6).Select(_ => budget.LoadAsync(async () =>
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
    public void Should_refuse_a_budget_below_two_and_bound_the_pool_of_a_connection_string()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DatabaseBudget(1));
        using var budget = new DatabaseBudget(7);

        Assert.Contains("Maximum Pool Size=7", budget.Bound("Host=h;Username=u"));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }
}
