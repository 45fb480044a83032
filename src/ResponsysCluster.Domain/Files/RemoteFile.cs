namespace ResponsysCluster.Domain.Files;

/// <summary>A regular file listed in the export directory.</summary>
/// <param name="Path">Full remote path (directory + "/" + name).</param>
/// <param name="Name">The file name alone.</param>
/// <param name="Size">Size in bytes when listed.</param>
/// <param name="Modified">Modification time, UTC, whole seconds (SFTP v3).</param>
public sealed record RemoteFile(string Path, string Name, long Size, DateTimeOffset Modified)
{
    /// <summary>The remote path of <paramref name="name"/> in <paramref name="directory"/>, as <c>_sdc_source_file</c> shows it.</summary>
    public static string PathIn(string directory, string name) => directory == "/" ? "/" + name : directory + "/" + name;

    /// <summary>The version of this file: the same path with another mtime or size is another version.</summary>
    public FileVersion Version => new(Path, Modified, Size);
}

/// <summary>One version of a data file: a re-export of the same path has a new mtime.</summary>
public sealed record FileVersion(string Path, DateTimeOffset Modified, long Size);
