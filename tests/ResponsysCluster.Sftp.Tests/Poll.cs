using System.Diagnostics;

namespace ResponsysCluster.Sftp.Tests;

/// <summary>Waits on conditions, checking often, with a deadline: never a fixed sleep.</summary>
internal static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    /// <summary>Returns once <paramref name="condition"/> holds; throws <see cref="TimeoutException"/> at the deadline.</summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan deadline, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > deadline) throw new TimeoutException($"Waited {deadline.TotalSeconds} s for {what}.");
            await Task.Delay(Interval);
        }
    }

    /// <summary>
    /// Returns the value once it is at least <paramref name="atLeast"/> and has not changed for
    /// <paramref name="stableFor"/>; throws <see cref="TimeoutException"/> at the deadline.
    /// </summary>
    public static async Task<long> UntilStableAsync(Func<long> value, long atLeast, TimeSpan stableFor, TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        var last = value();
        var unchangedSince = clock.Elapsed;
        while (true)
        {
            await Task.Delay(Interval);
            var current = value();
            if (current != last)
            {
                last = current;
                unchangedSince = clock.Elapsed;
            }
            else if (current >= atLeast && clock.Elapsed - unchangedSince >= stableFor)
            {
                return current;
            }
            if (clock.Elapsed > deadline)
                throw new TimeoutException($"Waited {deadline.TotalSeconds} s for a value of at least {atLeast} to settle; last {last}.");
        }
    }
}
