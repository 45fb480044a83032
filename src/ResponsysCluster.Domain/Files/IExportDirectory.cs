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

    /// <summary>
    /// Opens the stored bytes <c>[offset, offset + length)</c> of a listed file for streaming, with the checks of
    /// <see cref="OpenReadAsync"/>: the tail of a zip (its central directory), or one entry of it. Reading the range
    /// to its end is a complete read.
    /// </summary>
    Task<Stream> OpenRangeAsync(RemoteFile file, long offset, long length, CancellationToken cancellationToken);

    /// <summary>Reads a small file (a ready file) as text, at most <paramref name="maxBytes"/> bytes.</summary>
    Task<string> ReadSmallTextAsync(RemoteFile file, int maxBytes, CancellationToken cancellationToken);

    /// <summary>The file's current size and mtime, or null when it no longer exists.</summary>
    Task<RemoteFile?> StatAsync(RemoteFile file, CancellationToken cancellationToken);
}
