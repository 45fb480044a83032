namespace ResponsysCluster.Domain.Files;

/// <summary>
/// The port to the directory Responsys exports into (an SFTP directory in production).
/// Implementations throw <see cref="ExportFileException"/> for a problem with one file.
/// </summary>
public interface IExportDirectory : IAsyncDisposable
{
    /// <summary>The immediate regular files of the directory.</summary>
    Task<IReadOnlyList<RemoteFile>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Opens a listed file for streaming. Fails when the file vanished or no longer has the size and mtime it was
    /// listed with (it is being rewritten: it will be read as a new version on a later run).
    /// </summary>
    Task<Stream> OpenReadAsync(RemoteFile file, CancellationToken cancellationToken);

    /// <summary>Reads a small file (a ready file) as text, at most <paramref name="maxBytes"/> bytes.</summary>
    Task<string> ReadSmallTextAsync(RemoteFile file, int maxBytes, CancellationToken cancellationToken);

    /// <summary>The file's current size and mtime, or null when it no longer exists.</summary>
    Task<RemoteFile?> StatAsync(RemoteFile file, CancellationToken cancellationToken);
}
