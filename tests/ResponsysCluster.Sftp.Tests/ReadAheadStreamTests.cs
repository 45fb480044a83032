using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ResponsysCluster.Sftp.Tests;

/// <summary>
/// The read-ahead's pump on its own, over in-memory sources that record their close or fail it on purpose: the
/// close always happens, also for a stream disposed before its pump ran, and a failing close is logged and
/// reported to the owner, and a read stopped before the end of its file is told apart from one read to its end.
/// (Against the real server: <see cref="ReadAheadCloseTests"/>.)
/// </summary>
public sealed class ReadAheadStreamTests
{
    private const string Path = "/exports/20180911_LIST.csv";

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_close_the_source_of_a_stream_disposed_before_its_pump_started()
    {
        // Disposed on the very next line, many times over: on a busy pool most pumps start after the dispose.
        var sources = new List<ClosingSource>();
        var faults = new ConcurrentQueue<Exception>();
        var stoppedEarly = 0;
        var closed = new List<Task>();
        for (var i = 0; i < 500; i++)
        {
            var source = new ClosingSource(new byte[1024 * 1024]);
            sources.Add(source);
            var stream = ReadAheadStream.Over(source, Path, NullLogger.Instance, faults.Enqueue, () => Interlocked.Increment(ref stoppedEarly),
                CancellationToken.None, CancellationToken.None);
            stream.Dispose();
            closed.Add(stream.Closed);
        }

        await Task.WhenAll(closed);
        Assert.All(sources, s => Assert.True(s.Closed, "a source was never closed"));
        Assert.Empty(faults);
        Assert.Equal(500, stoppedEarly);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_have_closed_the_source_when_DisposeAsync_returns()
    {
        var source = new ClosingSource(new byte[3 * 1024 * 1024]);
        var stream = ReadAheadStream.Over(source, Path, NullLogger.Instance, _ => { }, () => { }, CancellationToken.None, CancellationToken.None);
        await stream.ReadExactlyAsync(new byte[10_000]);

        await stream.DisposeAsync();

        Assert.True(source.Closed);
        Assert.True(stream.Closed.IsCompletedSuccessfully);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_log_and_report_a_failing_close()
    {
        var logger = new ListLogger();
        var faults = new ConcurrentQueue<Exception>();
        var stoppedEarly = 0;
        var source = new ClosingSource(new byte[100_000], failClose: true);
        var stream = ReadAheadStream.Over(source, Path, logger, faults.Enqueue, () => stoppedEarly++, CancellationToken.None, CancellationToken.None);
        await stream.CopyToAsync(Stream.Null);

        await stream.DisposeAsync();

        var fault = Assert.Single(faults);
        Assert.IsType<IOException>(fault);
        var warning = Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains(Path, warning.Message);
        Assert.Contains("IOException", warning.Message);
        Assert.Equal(0, stoppedEarly);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_tell_a_reader_that_stops_early_as_stopped_early_not_as_a_failure()
    {
        var faults = new ConcurrentQueue<Exception>();
        var stoppedEarly = 0;
        var source = new ClosingSource(new byte[8 * 1024 * 1024]);
        var stream = ReadAheadStream.Over(source, Path, NullLogger.Instance, faults.Enqueue, () => stoppedEarly++, CancellationToken.None, CancellationToken.None);
        await stream.ReadExactlyAsync(new byte[100_000]);

        await stream.DisposeAsync();

        Assert.True(source.Closed);
        Assert.Empty(faults);
        Assert.Equal(1, stoppedEarly);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_not_tell_a_stream_read_to_its_end_as_stopped_early()
    {
        var faults = new ConcurrentQueue<Exception>();
        var stoppedEarly = 0;
        var source = new ClosingSource(new byte[8 * 1024 * 1024 + 5]);
        var stream = ReadAheadStream.Over(source, Path, NullLogger.Instance, faults.Enqueue, () => stoppedEarly++, CancellationToken.None, CancellationToken.None);
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy);

        await stream.DisposeAsync();

        Assert.Equal(8 * 1024 * 1024 + 5, copy.Length);
        Assert.True(source.Closed);
        Assert.Empty(faults);
        Assert.Equal(0, stoppedEarly);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_report_the_callers_cancellation_as_a_fault_and_still_close()
    {
        var faults = new ConcurrentQueue<Exception>();
        using var cancel = new CancellationTokenSource();
        var source = new ClosingSource(new byte[8 * 1024 * 1024]);
        var stream = ReadAheadStream.Over(source, Path, NullLogger.Instance, faults.Enqueue, () => { }, CancellationToken.None, cancel.Token);
        await stream.ReadExactlyAsync(new byte[100_000]);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.CopyToAsync(Stream.Null));
        await stream.DisposeAsync();

        Assert.True(source.Closed);
        Assert.Contains(faults, f => f is OperationCanceledException);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_stop_and_close_when_the_owner_ends_all_reads()
    {
        var faults = new ConcurrentQueue<Exception>();
        using var endAll = new CancellationTokenSource();
        var stoppedEarly = 0;
        var source = new ClosingSource(new byte[8 * 1024 * 1024]);
        var stream = ReadAheadStream.Over(source, Path, NullLogger.Instance, faults.Enqueue, () => stoppedEarly++, endAll.Token, CancellationToken.None);
        await stream.ReadExactlyAsync(new byte[100_000]);

        await endAll.CancelAsync();
        await stream.Closed;

        Assert.True(source.Closed);
        Assert.Empty(faults);
        Assert.Equal(1, stoppedEarly);
        await stream.DisposeAsync();
    }

    /// <summary>An in-memory file that records whether it was closed, and can fail its close as a dead connection would.</summary>
    private sealed class ClosingSource(byte[] content, bool failClose = false) : MemoryStream(content)
    {
        private int closed;

        public bool Closed => Volatile.Read(ref closed) != 0;

        public override ValueTask DisposeAsync()
        {
            Interlocked.Exchange(ref closed, 1);
            return failClose ? ValueTask.FromException(new IOException("the connection was lost")) : base.DisposeAsync();
        }

        protected override void Dispose(bool disposing)
        {
            Interlocked.Exchange(ref closed, 1);
            base.Dispose(disposing);
        }
    }
}
