namespace ResponsysCluster.Node;

/// <summary>
/// The exit codes of every command, so that a scheduler or a script can tell a problem to fix from one to retry:
/// 1 when the run or a file failed (the others loaded; the failed ones are read again next run), 2 when nothing
/// could start for a configuration or connection problem, 3 when another run of the connection is in progress.
/// </summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int ConfigurationOrConnection = 2;
    public const int AnotherRunInProgress = 3;
}
