namespace ResponsysCluster.Singer.Tests;

/// <summary>Test-level time-outs (milliseconds): a hung connection or child process fails its test, not the run.</summary>
internal static class Timeouts
{
    /// <summary>Runs of the tap against the test sshd; generous for a loaded machine.</summary>
    public const int EndToEnd = 60_000;

    /// <summary>
    /// Up to two runs of the built executable as child processes (a cold start of .NET takes seconds), each killed
    /// after 90 s.
    /// </summary>
    public const int Executable = 240_000;

    /// <summary>Tests that write and move tens of megabytes.</summary>
    public const int Transfer = 180_000;
}
