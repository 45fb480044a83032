using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Ports;

namespace ResponsysCluster.Sftp;

/// <summary>
/// Keeps SFTP connections open across files. <see cref="ConnectAsync"/> hands out an idle connection, or opens
/// one; disposing what it returned gives the connection back, unless anything failed on it (every exception, a
/// failed close and a cancellation included) or it was idle for longer than the limit: such a connection is
/// closed, never reused. A connection in use is never closed by the pool, not even by the pool's own disposal:
/// it is closed when its user gives it back. With one user per worker, each worker keeps one connection.
/// </summary>
public sealed class SftpConnectionPool : IExportDirectoryConnector, IAsyncDisposable
{
    private readonly SftpConnector connector;
    private readonly SftpConnectionPoolOptions options;
    private readonly ILogger logger;
    private readonly TimeProvider clock;
    private readonly Lock gate = new();
    private readonly Stack<(SftpExportDirectory Connection, long IdleSince)> idle = new();
    private readonly ITimer sweeper;
    private bool disposed;
    private int opened;

    public SftpConnectionPool(SftpConnector connector, SftpConnectionPoolOptions? options = null, ILogger? logger = null,
        TimeProvider? clock = null)
    {
        this.connector = connector;
        this.options = options ?? SftpConnectionPoolOptions.Default;
        ArgumentOutOfRangeException.ThrowIfNegative(this.options.MaxIdle, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(this.options.IdleLimit, TimeSpan.Zero, nameof(options));
        this.logger = logger ?? NullLogger.Instance;
        this.clock = clock ?? TimeProvider.System;
        var period = this.options.IdleLimit / 2;
        sweeper = this.clock.CreateTimer(_ => _ = SweepAsync(), null, period, period);
    }

    /// <summary>Connections this pool has opened so far.</summary>
    public int ConnectionsOpened => Volatile.Read(ref opened);

    /// <summary>Connections waiting, open, for their next user.</summary>
    public int IdleCount
    {
        get { lock (gate) return idle.Count; }
    }

    /// <summary>Leases a kept connection, or opens a new one; dispose the result to give it back.</summary>
    public async Task<IExportDirectory> ConnectAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        while (TakeIdle() is { } kept)
        {
            if (Unusable(kept.Connection, kept.IdleSince) is { } reason)
            {
                await DropAsync(kept.Connection, reason).ConfigureAwait(false);
                continue;
            }
            return new Lease(this, kept.Connection);
        }
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed), this);
        var fresh = await connector.ConnectAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref opened);
        return new Lease(this, fresh);
    }

    /// <summary>Closes the idle connections; leased ones are closed as their users give them back.</summary>
    public async ValueTask DisposeAsync()
    {
        List<SftpExportDirectory> closing;
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            closing = [.. idle.Select(i => i.Connection)];
            idle.Clear();
        }
        await sweeper.DisposeAsync().ConfigureAwait(false);
        foreach (var connection in closing) await DropAsync(connection, "the pool is closing").ConfigureAwait(false);
    }

    private (SftpExportDirectory Connection, long IdleSince)? TakeIdle()
    {
        lock (gate) return idle.TryPop(out var kept) ? kept : null;
    }

    private string? Unusable(SftpExportDirectory connection, long idleSince)
    {
        if (connection.Fault is { } fault) return $"{fault.GetType().Name}: {fault.Message}";
        if (!connection.IsConnected) return "disconnected";
        if (clock.GetElapsedTime(idleSince) > options.IdleLimit) return $"idle longer than {options.IdleLimit}";
        return null;
    }

    private async ValueTask GiveBackAsync(SftpExportDirectory connection)
    {
        var reason = Unusable(connection, clock.GetTimestamp());
        if (reason is null)
        {
            // A healthy connection's last closes take a round trip: wait for them, so the next user starts on a
            // connection with no file open. One that failed is dropped at once, its closes cut short.
            await connection.EndReadsAsync(ReadAheadStream.CloseTimeout).ConfigureAwait(false);
            reason = Unusable(connection, clock.GetTimestamp());
        }
        if (reason is null)
        {
            lock (gate)
            {
                if (disposed) reason = "the pool is closed";
                else if (idle.Count >= options.MaxIdle) reason = $"{options.MaxIdle} connections are kept already";
                else idle.Push((connection, clock.GetTimestamp()));
            }
        }
        if (reason is not null) await DropAsync(connection, reason).ConfigureAwait(false);
    }

    private async Task SweepAsync()
    {
        List<SftpExportDirectory> expired;
        lock (gate)
        {
            if (disposed || idle.Count == 0) return;
            var all = idle.Reverse().ToList(); // oldest first, as they were pushed
            var keep = all.Where(i => Unusable(i.Connection, i.IdleSince) is null).ToList();
            expired = [.. all.Except(keep).Select(i => i.Connection)];
            idle.Clear();
            foreach (var kept in keep) idle.Push(kept);
        }
        foreach (var connection in expired) await DropAsync(connection, "idle longer than the limit, or broken while idle").ConfigureAwait(false);
    }

    private async ValueTask DropAsync(SftpExportDirectory connection, string reason)
    {
        LogMessages.PooledConnectionDropped(logger, connection.Directory, reason);
        try
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A connection that fails even to close is gone all the same.
            LogMessages.PooledConnectionDropped(logger, connection.Directory, $"closing failed: {ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>One user's hold on a pooled connection; disposing it gives the connection back.</summary>
    private sealed class Lease(SftpConnectionPool pool, SftpExportDirectory connection) : IExportDirectory
    {
        private int returned;

        public Task<IReadOnlyList<RemoteFile>> ListAsync(CancellationToken cancellationToken) => Live.ListAsync(cancellationToken);

        public Task<Stream> OpenReadAsync(RemoteFile file, CancellationToken cancellationToken) => Live.OpenReadAsync(file, cancellationToken);

        public Task<Stream> OpenRangeAsync(RemoteFile file, long offset, long length, CancellationToken cancellationToken) =>
            Live.OpenRangeAsync(file, offset, length, cancellationToken);

        public Task<string> ReadSmallTextAsync(RemoteFile file, int maxBytes, CancellationToken cancellationToken) =>
            Live.ReadSmallTextAsync(file, maxBytes, cancellationToken);

        public Task<RemoteFile?> StatAsync(RemoteFile file, CancellationToken cancellationToken) => Live.StatAsync(file, cancellationToken);

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref returned, 1) == 0) await pool.GiveBackAsync(connection).ConfigureAwait(false);
        }

        private SftpExportDirectory Live
        {
            get
            {
                // Given back already: the connection may serve someone else now.
                ObjectDisposedException.ThrowIf(Volatile.Read(ref returned) != 0, this);
                return connection;
            }
        }
    }
}

/// <summary>How many connections a <see cref="SftpConnectionPool"/> keeps, and for how long.</summary>
/// <param name="MaxIdle">Connections kept open between uses; one per worker that uses the pool.</param>
/// <param name="IdleLimit">A connection unused for longer is closed.</param>
public sealed record SftpConnectionPoolOptions(int MaxIdle, TimeSpan IdleLimit)
{
    /// <summary>Two connections (the default <c>max_concurrent_downloads</c>), closed after 5 minutes unused.</summary>
    public static SftpConnectionPoolOptions Default { get; } = new(2, TimeSpan.FromMinutes(5));
}
