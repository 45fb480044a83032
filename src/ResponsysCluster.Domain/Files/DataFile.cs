namespace ResponsysCluster.Domain.Files;

/// <summary>A listed data file of a table, with the ready file that marks it complete, if any.</summary>
public sealed record DataFile(RemoteFile File, string Table, RemoteFile? ReadyFile)
{
    public bool IsReady => ReadyFile is not null;
}
