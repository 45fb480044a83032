using ResponsysCluster.Domain.Files;

namespace ResponsysCluster.Engine.Files;

/// <summary>
/// One worker's SFTP connection, opened on first use and kept for the next files of a run (a login costs a few
/// hundred milliseconds). Dropped after any failure, and when it sat idle long enough that the server may have
/// closed it, so a file never fails for a stale connection.
/// </summary>
public sealed class ExportDirectorySession(Func<CancellationToken, Task<IExportDirectory>> connect, TimeProvider clock) : IAsyncDisposable
{
    private static readonly TimeSpan MaxIdle = TimeSpan.FromMinutes(1);

    private IExportDirectory? current;
    private DateTimeOffset lastUsed;

    public async Task<IExportDirectory> GetAsync(CancellationToken cancellationToken)
    {
        if (current is not null && clock.GetUtcNow() - lastUsed > MaxIdle) await ResetAsync().ConfigureAwait(false);
        current ??= await connect(cancellationToken).ConfigureAwait(false);
        lastUsed = clock.GetUtcNow();
        return current;
    }

    /// <summary>Marks the end of a use, so idle time counts from here.</summary>
    public void Release() => lastUsed = clock.GetUtcNow();

    public async ValueTask ResetAsync()
    {
        var directory = current;
        current = null;
        if (directory is not null) await directory.DisposeAsync().ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => ResetAsync();
}
