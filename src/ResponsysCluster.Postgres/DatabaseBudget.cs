using Npgsql;

namespace ResponsysCluster.Postgres;

/// <summary>
/// A node's PostgreSQL budget: every session the node opens counts in <see cref="Connections"/>. One is the session that
/// holds the node's run locks; the others form the pool that its loads, its runs' short writes (extraction log,
/// reports, ledger checks), its journal and its management API share. File loads (each holding one session from its
/// first row to its commit) take at most all but one of the pool, so that the short writes and the journal always
/// find one soon. Loads beyond that wait their turn here instead of failing on a pool that is full.
/// </summary>
public sealed class DatabaseBudget(int connections) : IDisposable
{
    /// <summary>The lock session, one load and one session for everything else.</summary>
    public const int Minimum = 3;

    public int Connections { get; } = connections >= Minimum
        ? connections
        : throw new ArgumentOutOfRangeException(nameof(connections), connections, $"a budget is at least {Minimum} connections");

    /// <summary>The shared pool: the budget less the run locks' session.</summary>
    public int PoolSessions => Connections - 1;

    /// <summary>How many loads may hold a session at once.</summary>
    public int LoadSlots => PoolSessions - 1;

    // Declared after Connections, whose check refuses a budget below the minimum first.
    private readonly SemaphoreSlim loads = new(connections - 2);

    /// <summary>How long a session may wait for the pool: a node with hundreds of connections starting at once queues its writes.</summary>
    public const int PoolWaitSeconds = 120;

    /// <summary>
    /// <paramref name="postgres"/> with its pool bounded to <see cref="PoolSessions"/>, waiting up to
    /// <see cref="PoolWaitSeconds"/> for a free session (Npgsql fails a wait of its default 15 s, and with it a file,
    /// when hundreds of runs write at once).
    /// </summary>
    public string Bound(string postgres) => new NpgsqlConnectionStringBuilder(postgres) { MaxPoolSize = PoolSessions, Timeout = PoolWaitSeconds }.ConnectionString;

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
