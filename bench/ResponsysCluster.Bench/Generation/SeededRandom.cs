namespace ResponsysCluster.Bench.Generation;

/// <summary>
/// SplitMix64: a small, fast generator whose sequence depends only on the seed, on every runtime version
/// (System.Random's seeded algorithm is an implementation detail), so a seed always gives the same file.
/// </summary>
internal struct SeededRandom(ulong seed)
{
    private ulong state = seed;

    public ulong NextUInt64()
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        return Mix(z);
    }

    /// <summary>A value in [0, <paramref name="bound"/>).</summary>
    public int Next(int bound) => (int)((NextUInt64() >> 32) * (ulong)bound >> 32);

    /// <summary>A value in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    public long Next(long min, long max) => min + (long)(NextUInt64() % (ulong)(max - min));

    /// <summary>True with the given probability in percent.</summary>
    public bool Percent(int percent) => Next(100) < percent;

    public T Pick<T>(T[] items) => items[Next(items.Length)];

    /// <summary>A stateless hash of a number, for values that must be the same in every file (RIIDs).</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
