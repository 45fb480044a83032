using Npgsql;

namespace ResponsysCluster.Postgres;

/// <summary>
/// A node's PostgreSQL budget for its loading work: a pool of <see cref="Connections"/> sessions shared by every
/// connection and worker of the node, of which file loads (each holding one session from its first row to its
/// commit) take at most all but one, so that the short writes of runs (extraction log, reports, ledger checks) always
/// find one soon. Loads beyond that wait their turn here instead of failing on a pool that is full.
/// </summary>
public sealed class DatabaseBudget(int connections) : IDisposable
{
    public const int Minimum = 2;

    private readonly SemaphoreSlim loads = new(Math.Max(1, connections - 1));

    public int Connections { get; } = connections >= Minimum
        ? connections
        : throw new ArgumentOutOfRangeException(nameof(connections), connections, $"a budget is at least {Minimum} connections");

    /// <summary>How many loads may hold a session at once.</summary>
    public int LoadSlots => Math.Max(1, Connections - 1);

    /// <summary>How long a session may wait for the pool: a node with hundreds of connections starting at once queues its writes.</summary>
    public const int PoolWaitSeconds = 120;

    /// <summary>
    /// <paramref name="postgres"/> with its pool bounded by the budget, waiting up to <see cref="PoolWaitSeconds"/> for a
    /// free session (Npgsql fails a wait of its default 15 s, and with it a file, when hundreds of runs write at once).
    /// </summary>
    public string Bound(string postgres) => new NpgsqlConnectionStringBuilder(postgres) { MaxPoolSize = Connections, Timeout = PoolWaitSeconds }.ConnectionString;

    /// <summary>Runs one load once a slot is free.</summary>
    public async Task<T> LoadAsync<T>(Func<Task<T>> load, CancellationToken cancellationToken)
    {
        await loads.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await load().ConfigureAwait(false);
        }
        finally
        {
            loads.Release();
        }
    }

    public void Dispose() => loads.Dispose();
}
