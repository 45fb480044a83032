using System.IO.Pipelines;
using Microsoft.Extensions.Logging;

namespace ResponsysCluster.Sftp;

/// <summary>
/// Reads a source stream on a background task into a bounded pipe, so network transfer overlaps with parsing.
/// The pump runs at most as far ahead of the reader as the reader has read already (at least
/// <see cref="FirstWindow"/>, at most <see cref="PauseAt"/>): a reader that stops early, as discovery does after
/// its sample, has made little more than its sample travel; one that reads on earns the whole window. About
/// <see cref="PauseAt"/> bytes at most wait in memory, whatever the file size.
/// <para>
/// The pump always closes the source, also when the stream is disposed before the pump started, and its outcome
/// is observed: <see cref="Closed"/> completes once the source is closed, a failing read or close is passed to
/// the owner's fault callback, a failing close is logged, and a read stopped before the end of its file is told
/// to the owner too (whatever made its reader stop, the owner may not want to reuse the connection).
/// </para>
/// </summary>
internal sealed class ReadAheadStream : Stream
{
    private const int ChunkSize = 64 * 1024;
    private const long FirstWindow = 256 * 1024;
    private const long PauseAt = 4 * 1024 * 1024;

    /// <summary>How long the pump waits for the server to confirm the close (SSH.NET's own close has no time-out).</summary>
    internal static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(10);

    private readonly Stream inner;
    private readonly ReadProgress progress;
    private readonly CancellationTokenSource stop;
    private readonly Action<Exception> faulted;
    private readonly Action stoppedEarly;
    private int disposed;
    private int reachedEnd;
    private int toldStoppedEarly;

    private ReadAheadStream(Stream inner, ReadProgress progress, CancellationTokenSource stop, Action<Exception> faulted, Action stoppedEarly)
    {
        this.inner = inner;
        this.progress = progress;
        this.stop = stop;
        this.faulted = faulted;
        this.stoppedEarly = stoppedEarly;
    }

    /// <summary>Completes once the pump has ended and closed the source; never faults.</summary>
    public Task Closed { get; private set; } = Task.CompletedTask;

    /// <summary>
    /// Starts pumping <paramref name="source"/>. <paramref name="faulted"/> hears every failure of the read or the
    /// close, and the caller's cancellation; a stop because the reader disposed the stream is not one, but if it
    /// came before the end of the file <paramref name="stoppedEarly"/> hears of it. <paramref name="stopAll"/> stops
    /// the pump as disposing the stream would (the owner's connection is ending).
    /// </summary>
    public static ReadAheadStream Over(Stream source, string path, ILogger logger, Action<Exception> faulted, Action stoppedEarly,
        CancellationToken stopAll, CancellationToken cancellationToken)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: PauseAt, resumeWriterThreshold: PauseAt / 2,
            minimumSegmentSize: ChunkSize, useSynchronizationContext: false));
        var progress = new ReadProgress();
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopAll);
        // Taken here, not in the pump: the stream may be disposed (and stop with it) before the pump starts.
        var stopToken = stop.Token;
        var stream = new ReadAheadStream(pipe.Reader.AsStream(), progress, stop, faulted, stoppedEarly);
        stream.Closed = Task.Run(() => stream.PumpAsync(source, path, pipe.Writer, logger, stopToken, cancellationToken),
            CancellationToken.None);
        return stream;
    }

    /// <summary>How far the pump may run ahead of a reader that has read <paramref name="consumed"/> bytes.</summary>
    internal static long Window(long consumed) => Math.Clamp(consumed, FirstWindow, PauseAt);

    private async Task PumpAsync(Stream source, string path, PipeWriter writer, ILogger logger, CancellationToken stop, CancellationToken caller)
    {
        try
        {
            long written = 0;
            while (!stop.IsCancellationRequested)
            {
                await progress.WaitUntilBelowWindowAsync(written, stop).ConfigureAwait(false);
                var memory = writer.GetMemory(ChunkSize);
                var read = await source.ReadAsync(memory, stop).ConfigureAwait(false);
                if (read == 0)
                {
                    Volatile.Write(ref reachedEnd, 1);
                    break;
                }
                writer.Advance(read);
                written += read;
                var flushed = await writer.FlushAsync(stop).ConfigureAwait(false);
                if (flushed.IsCompleted) break; // the reader is gone
            }
            await writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A reader that disposed its stream stopped the pump on purpose; anything else is a failure.
            if (ex is not OperationCanceledException || caller.IsCancellationRequested || !stop.IsCancellationRequested)
                faulted(ex);
            await writer.CompleteAsync(ex).ConfigureAwait(false);
        }
        TellIfStoppedEarly();

        try
        {
            await source.DisposeAsync().AsTask().WaitAsync(CloseTimeout, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogMessages.CloseFailed(logger, path, ex.GetType().Name, ex.Message);
            faulted(ex);
        }
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return Counted(inner.Read(buffer));
        }
        catch (Exception ex)
        {
            faulted(ex);
            throw;
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return Counted(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex)
        {
            faulted(ex);
            throw;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Counted(int read)
    {
        progress.Consumed(read);
        return read;
    }

    /// <summary>Stops the pump; the close follows on the pump's task (see <see cref="Closed"/>).</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing) Stop();
        base.Dispose(disposing);
    }

    /// <summary>Stops the pump and waits until it has closed the source.</summary>
    public override async ValueTask DisposeAsync()
    {
        Stop();
        await Closed.ConfigureAwait(false);
        base.Dispose(disposing: false);
        GC.SuppressFinalize(this);
    }

    private void Stop()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        // Told here, on the disposing thread, not only by the pump later: whoever gives the connection back next
        // must already know that this read did not finish.
        TellIfStoppedEarly();
        inner.Dispose();
        // Cancelled before disposed: the pump's copy of the token then reads as cancelled for good.
        stop.Cancel();
        stop.Dispose();
    }

    private void TellIfStoppedEarly()
    {
        if (Volatile.Read(ref reachedEnd) == 0 && Interlocked.Exchange(ref toldStoppedEarly, 1) == 0) stoppedEarly();
    }

    /// <summary>The bytes the reader has taken, and the pump's wait for the reader to take more.</summary>
    private sealed class ReadProgress
    {
        private readonly Lock gate = new();
        private long consumed;
        private TaskCompletionSource? waiting;

        public void Consumed(int bytes)
        {
            if (bytes <= 0) return;
            Interlocked.Add(ref consumed, bytes);
            TaskCompletionSource? wake;
            lock (gate)
            {
                wake = waiting;
                waiting = null;
            }
            wake?.TrySetResult();
        }

        public async Task WaitUntilBelowWindowAsync(long written, CancellationToken cancellationToken)
        {
            while (true)
            {
                Task wait;
                lock (gate)
                {
                    // Checked under the lock: a read counted after this check wakes the waiter set here.
                    var taken = Interlocked.Read(ref consumed);
                    if (written - taken < Window(taken)) return;
                    waiting ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    wait = waiting.Task;
                }
                await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
