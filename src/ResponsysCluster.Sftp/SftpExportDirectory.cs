using Microsoft.Extensions.Logging;
using Renci.SshNet;
using Renci.SshNet.Common;
using ResponsysCluster.Domain.Files;

namespace ResponsysCluster.Sftp;

/// <summary>The export directory over one SFTP connection. Create with <see cref="SftpConnector"/>.</summary>
public sealed class SftpExportDirectory : IExportDirectory
{
    private readonly SftpClient client;
    private readonly string directory;
    private readonly ILogger logger;

    internal SftpExportDirectory(SftpClient client, string directory, ILogger logger)
    {
        this.client = client;
        this.directory = directory;
        this.logger = logger;
    }

    public async Task<IReadOnlyList<RemoteFile>> ListAsync(CancellationToken cancellationToken)
    {
        var files = new List<RemoteFile>();
        try
        {
            await foreach (var entry in client.ListDirectoryAsync(directory, cancellationToken).ConfigureAwait(false))
            {
                // Only the immediate regular files: not ".", "..", subdirectories or links to elsewhere.
                if (!entry.IsRegularFile) continue;
                files.Add(ToRemoteFile(entry.Name, entry.Attributes));
            }
        }
        catch (SftpPathNotFoundException ex)
        {
            throw new SftpAccessException($"Directory '{directory}' does not exist", ex);
        }
        catch (SftpPermissionDeniedException ex)
        {
            throw new SftpAccessException($"Directory '{directory}' cannot be listed: permission denied", ex);
        }

        LogMessages.Listed(logger, files.Count, directory);
        return files;
    }

    public async Task<Stream> OpenReadAsync(RemoteFile file, CancellationToken cancellationToken)
    {
        var current = await StatAsync(file, cancellationToken).ConfigureAwait(false)
            ?? throw new ExportFileException(file.Path, "the file no longer exists (deleted after it was listed)");
        if (current.Size != file.Size || current.Modified != file.Modified)
        {
            throw new ExportFileException(file.Path,
                $"the file changed after it was listed (size {file.Size} → {current.Size}, modified {file.Modified:O} → {current.Modified:O}); " +
                "it will be read as a new version on the next run");
        }

        try
        {
            var stream = await client.OpenAsync(file.Path, FileMode.Open, FileAccess.Read, cancellationToken).ConfigureAwait(false);
            return ReadAheadStream.Over(stream, cancellationToken);
        }
        catch (SftpPathNotFoundException ex)
        {
            throw new ExportFileException(file.Path, "the file no longer exists (deleted after it was listed)", inner: ex);
        }
        catch (SftpPermissionDeniedException ex)
        {
            throw new ExportFileException(file.Path, "permission denied", inner: ex);
        }
    }

    public async Task<string> ReadSmallTextAsync(RemoteFile file, int maxBytes, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await client.OpenAsync(file.Path, FileMode.Open, FileAccess.Read, cancellationToken).ConfigureAwait(false);
            var buffer = new byte[maxBytes];
            var total = 0;
            int read;
            while (total < maxBytes && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
                total += read;
            return System.Text.Encoding.UTF8.GetString(buffer, 0, total);
        }
        catch (SftpPathNotFoundException ex)
        {
            throw new ExportFileException(file.Path, "the file no longer exists (deleted after it was listed)", inner: ex);
        }
    }

    public async Task<RemoteFile?> StatAsync(RemoteFile file, CancellationToken cancellationToken)
    {
        try
        {
            var attributes = await client.GetAttributesAsync(file.Path, cancellationToken).ConfigureAwait(false);
            return ToRemoteFile(file.Name, attributes);
        }
        catch (SftpPathNotFoundException)
        {
            return null;
        }
    }

    public ValueTask DisposeAsync()
    {
        if (client.IsConnected) client.Disconnect();
        client.Dispose();
        return ValueTask.CompletedTask;
    }

    private RemoteFile ToRemoteFile(string name, Renci.SshNet.Sftp.SftpFileAttributes attributes) =>
        new(RemoteFile.PathIn(directory, name), name, attributes.Size,
            new DateTimeOffset(DateTime.SpecifyKind(attributes.LastWriteTimeUtc, DateTimeKind.Utc)));
}
