using System.Collections.Concurrent;
using System.Text;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Ports;

namespace ResponsysCluster.Engine.Tests.Fakes;

/// <summary>
/// An export directory held in memory, for protocol tests that need no SFTP server: files with their mtimes,
/// counts of connects and opens, and a connect failure on demand.
/// </summary>
public sealed class InMemoryExportDirectory : IExportDirectoryConnector
{
    public const string Path = "/exports";

    private static readonly DateTimeOffset T = new(2024, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private readonly ConcurrentDictionary<string, (byte[] Bytes, DateTimeOffset Modified)> files = new();
    private readonly ConcurrentDictionary<string, int> opens = new();
    private int connects;
    private int disposals;

    /// <summary>When set, every connect fails with it.</summary>
    public Exception? ConnectFailure { get; set; }

    public int Connects => Volatile.Read(ref connects);

    /// <summary>Sessions closed so far.</summary>
    public int Disposals => Volatile.Read(ref disposals);

    /// <summary>Adds a data file and its ready file (the ready file carrying <paramref name="readyCount"/>).</summary>
    public InMemoryExportDirectory WithExport(string name, string csv, int minute = 0, string? readyCount = null)
    {
        var modified = T.AddMinutes(minute);
        files[name] = (Encoding.UTF8.GetBytes(csv), modified);
        files[System.IO.Path.GetFileNameWithoutExtension(name) + ".ready"] = (Encoding.UTF8.GetBytes(readyCount ?? ""), modified);
        return this;
    }

    /// <summary>Removes the ready file of <paramref name="name"/>: the export is still being written.</summary>
    public InMemoryExportDirectory WithoutReadyFile(string name)
    {
        files.TryRemove(System.IO.Path.GetFileNameWithoutExtension(name) + ".ready", out _);
        return this;
    }

    public int OpensOf(string name) => opens.GetValueOrDefault(name);

    /// <summary>When set, every open waits until it completes.</summary>
    public TaskCompletionSource? OpenGate { get; set; }

    public Task<IExportDirectory> ConnectAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref connects);
        if (ConnectFailure is { } failure) return Task.FromException<IExportDirectory>(failure);
        return Task.FromResult<IExportDirectory>(new Session(this));
    }

    private sealed class Session(InMemoryExportDirectory owner) : IExportDirectory
    {
        public Task<IReadOnlyList<RemoteFile>> ListAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<RemoteFile>>(owner.files
                .Select(f => new RemoteFile(RemoteFile.PathIn(Path, f.Key), f.Key, f.Value.Bytes.Length, f.Value.Modified)).ToList());

        public async Task<Stream> OpenReadAsync(RemoteFile file, CancellationToken cancellationToken)
        {
            owner.opens.AddOrUpdate(file.Name, 1, (_, n) => n + 1);
            if (owner.OpenGate is { } gate) await gate.Task.WaitAsync(cancellationToken);
            return new MemoryStream(owner.files[file.Name].Bytes, writable: false);
        }

        public Task<Stream> OpenRangeAsync(RemoteFile file, long offset, long length, CancellationToken cancellationToken) =>
            Task.FromResult<Stream>(new MemoryStream(owner.files[file.Name].Bytes, (int)offset, (int)length, writable: false));

        public Task<string> ReadSmallTextAsync(RemoteFile file, int maxBytes, CancellationToken cancellationToken) =>
            Task.FromResult(Encoding.UTF8.GetString(owner.files[file.Name].Bytes));

        public Task<RemoteFile?> StatAsync(RemoteFile file, CancellationToken cancellationToken) =>
            Task.FromResult(owner.files.TryGetValue(file.Name, out var f) ? file with { Size = f.Bytes.Length, Modified = f.Modified } : null);

        public ValueTask DisposeAsync()
        {
            Interlocked.Increment(ref owner.disposals);
            return ValueTask.CompletedTask;
        }
    }
}
