namespace ResponsysCluster.Sftp.Tests;

/// <summary>Test-level time-outs (milliseconds): a hung connection fails its test instead of the whole run.</summary>
internal static class Timeouts
{
    /// <summary>Connecting, listing and reading small files; generous for a loaded machine.</summary>
    public const int EndToEnd = 60_000;

    /// <summary>Tests that move tens of megabytes.</summary>
    public const int Transfer = 180_000;
}
