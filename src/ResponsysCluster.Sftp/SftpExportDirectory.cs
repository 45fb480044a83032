using Microsoft.Extensions.Logging;
using Renci.SshNet;
using Renci.SshNet.Common;
using ResponsysCluster.Domain.Files;

namespace ResponsysCluster.Sftp;

/// <summary>
/// The export directory over one SFTP connection. Create with <see cref="SftpConnector"/>, or lease one from a
/// <see cref="SftpConnectionPool"/>. Any exception from the connection (an operation, a read, a close) marks it
/// faulted, and so does a read stopped before the end of its file (its reader failed or was cancelled, or gave
/// up): a pool never hands such a connection out again. Disposing it stops the reads still running, gives their
/// closes a moment (<see cref="DisconnectGrace"/>), then disconnects, which ends every open file on the server.
/// </summary>
public sealed class SftpExportDirectory : IExportDirectory
{
    /// <summary>
    /// How long disposing waits for the closes of reads still running before it disconnects. Short: the
    /// disconnect ends the files on the server anyway, and a stopping worker must not hang on a stalled network.
    /// </summary>
    internal static readonly TimeSpan DisconnectGrace = TimeSpan.FromSeconds(2);

    private readonly SftpClient client;
    private readonly JumpHostTunnel? tunnel;
    private readonly string directory;
    private readonly ILogger logger;
    private readonly Lock gate = new();
    private readonly HashSet<Task> reads = [];
    private CancellationTokenSource readsEnd = new();
    private Exception? fault;
    private int disposed;

    internal SftpExportDirectory(SftpClient client, string directory, ILogger logger, JumpHostTunnel? tunnel = null)
    {
        this.client = client;
        this.tunnel = tunnel;
        this.directory = directory;
        this.logger = logger;
    }

    /// <summary>The first failure seen on this connection, or null while it is healthy.</summary>
    internal Exception? Fault => Volatile.Read(ref fault);

    /// <summary>Whether the session is up, and the jump host's under it when it goes through one.</summary>
    internal bool IsConnected => client.IsConnected && (tunnel?.IsConnected ?? true);

    /// <summary>The session to the jump host this connection goes through, if any.</summary>
    internal JumpHostTunnel? Tunnel => tunnel;

    /// <summary>The keep-alive interval of the SFTP session itself.</summary>
    internal TimeSpan KeepAliveInterval => client.KeepAliveInterval;

    internal string Directory => directory;

    public Task<IReadOnlyList<RemoteFile>> ListAsync(CancellationToken cancellationToken) => FaultOnErrorAsync(async () =>
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
        return (IReadOnlyList<RemoteFile>)files;
    });

    public Task<Stream> OpenReadAsync(RemoteFile file, CancellationToken cancellationToken) => OpenAsync(file, null, cancellationToken);

    public Task<Stream> OpenRangeAsync(RemoteFile file, long offset, long length, CancellationToken cancellationToken)
    {
        if (offset < 0 || length < 0 || offset > file.Size - length)
            throw new InvalidOperationException($"the range {offset}+{length} is not within '{file.Path}' ({file.Size} bytes)");
        return OpenAsync(file, (offset, length), cancellationToken);
    }

    private Task<Stream> OpenAsync(RemoteFile file, (long Offset, long Length)? range, CancellationToken cancellationToken) => FaultOnErrorAsync(async () =>
    {
        var current = await StatCoreAsync(file, cancellationToken).ConfigureAwait(false)
            ?? throw NotFound(file, null);
        if (current.Size != file.Size || current.Modified != file.Modified)
        {
            throw new ExportFileException(file.Path,
                $"the file changed after it was listed (size {file.Size} → {current.Size}, modified {file.Modified:O} → {current.Modified:O}); " +
                "it will be read as a new version on the next run");
        }

        Stream source;
        try
        {
            source = await client.OpenAsync(file.Path, FileMode.Open, FileAccess.Read, cancellationToken).ConfigureAwait(false);
            if (range is var (offset, length))
            {
                source.Seek(offset, SeekOrigin.Begin);
                source = new ByteRangeStream(source, length);
            }
        }
        catch (SftpPathNotFoundException ex)
        {
            throw NotFound(file, ex);
        }
        catch (SftpPermissionDeniedException ex)
        {
            throw new ExportFileException(file.Path, "permission denied", inner: ex);
        }

        lock (gate)
        {
            var stream = ReadAheadStream.Over(source, file.Path, logger, MarkFaulted,
                () => MarkFaulted(new ReadStoppedEarlyException(file.Path)), readsEnd.Token, cancellationToken);
            reads.Add(stream.Closed);
            _ = stream.Closed.ContinueWith(closed => { lock (gate) reads.Remove(closed); },
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return (Stream)stream;
        }
    });

    public Task<string> ReadSmallTextAsync(RemoteFile file, int maxBytes, CancellationToken cancellationToken) => FaultOnErrorAsync(async () =>
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
            throw NotFound(file, ex);
        }
    });

    /// <summary>
    /// A listed file that cannot be found again: deleted since, or named with bytes that are not UTF-8, which SSH.NET
    /// decoded to U+FFFD when listing, so that the name it holds is not the file's and never opens.
    /// </summary>
    private static ExportFileException NotFound(RemoteFile file, Exception? inner) => new(file.Path,
        file.Name.Contains('\uFFFD')
            ? "the file name is not valid UTF-8 (its other bytes show as \uFFFD here): it cannot be opened by this name; rename it on the server"
            : "the file no longer exists (deleted after it was listed)",
        inner: inner);

    public Task<RemoteFile?> StatAsync(RemoteFile file, CancellationToken cancellationToken) =>
        FaultOnErrorAsync(() => StatCoreAsync(file, cancellationToken));

    /// <summary>Stops the reads still running, waits for their closes, then disconnects.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        await EndReadsAsync(DisconnectGrace).ConfigureAwait(false);
        if (client.IsConnected) client.Disconnect();
        client.Dispose();
        tunnel?.Dispose();
        readsEnd.Dispose();
    }

    /// <summary>
    /// Stops every read still running on this connection and waits, up to <paramref name="grace"/>, until the
    /// server has closed their files; a read still running then faults the connection. After a wait that ended in
    /// time, the connection is ready for its next user.
    /// </summary>
    internal async Task EndReadsAsync(TimeSpan grace)
    {
        Task[] running;
        CancellationTokenSource ended;
        lock (gate)
        {
            running = [.. reads];
            ended = readsEnd;
            readsEnd = new CancellationTokenSource();
        }
        ended.Cancel();
        try
        {
            await Task.WhenAll(running).WaitAsync(grace).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            LogMessages.ReadsOutlived(logger, directory, grace.TotalSeconds);
            MarkFaulted(ex);
        }
        ended.Dispose();
    }

    private async Task<RemoteFile?> StatCoreAsync(RemoteFile file, CancellationToken cancellationToken)
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

    private async Task<T> FaultOnErrorAsync<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Every failure counts, a file's own included: a kept connection is only worth its reuse when
            // nothing could have left it in a doubtful state.
            MarkFaulted(ex);
            throw;
        }
    }

    private void MarkFaulted(Exception ex) => Interlocked.CompareExchange(ref fault, ex, null);

    private RemoteFile ToRemoteFile(string name, Renci.SshNet.Sftp.SftpFileAttributes attributes) =>
        new(RemoteFile.PathIn(directory, name), name, attributes.Size,
            new DateTimeOffset(DateTime.SpecifyKind(attributes.LastWriteTimeUtc, DateTimeKind.Utc)));
}

/// <summary>
/// Why a connection is not reused after a read that stopped before the end of its file: whatever made the reader
/// stop (a bad record, a cancellation, a failed load) may have left the session in a state nobody checked.
/// </summary>
internal sealed class ReadStoppedEarlyException(string path)
    : Exception($"the read of '{path}' stopped before the end of the file");
