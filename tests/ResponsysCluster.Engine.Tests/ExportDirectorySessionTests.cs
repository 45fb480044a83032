using ResponsysCluster.Domain.Files;
using ResponsysCluster.Engine.Files;

namespace ResponsysCluster.Engine.Tests;

public sealed class ExportDirectorySessionTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>Counts logins and disposals; the session's policy is what is under test, not SFTP.</summary>
    private sealed class CountingDirectory : IExportDirectory
    {
        public bool Disposed { get; private set; }
        public Task<IReadOnlyList<RemoteFile>> ListAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<RemoteFile>>([]);
        public Task<Stream> OpenReadAsync(RemoteFile file, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<string> ReadSmallTextAsync(RemoteFile file, int maxBytes, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<RemoteFile?> StatAsync(RemoteFile file, CancellationToken cancellationToken) => throw new NotSupportedException();
        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task Should_reuse_the_connection_while_busy_and_reconnect_after_idling_or_a_failure()
    {
        var clock = new ManualClock();
        var opened = new List<CountingDirectory>();
        await using var session = new ExportDirectorySession(_ =>
        {
            var directory = new CountingDirectory();
            opened.Add(directory);
            return Task.FromResult<IExportDirectory>(directory);
        }, clock);

        var first = await session.GetAsync(CancellationToken.None);
        session.Release();
        clock.Now += TimeSpan.FromSeconds(30);
        Assert.Same(first, await session.GetAsync(CancellationToken.None));

        clock.Now += TimeSpan.FromMinutes(5);
        var afterIdle = await session.GetAsync(CancellationToken.None);
        Assert.NotSame(first, afterIdle);
        Assert.True(opened[0].Disposed);

        await session.ResetAsync();
        Assert.True(opened[1].Disposed);
        Assert.NotSame(afterIdle, await session.GetAsync(CancellationToken.None));
        Assert.Equal(3, opened.Count);
    }
}
