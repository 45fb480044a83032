using System.IO.Pipelines;

namespace ResponsysCluster.Sftp;

/// <summary>
/// Reads a source stream on a background task into a bounded pipe, so network transfer overlaps with parsing.
/// The pump runs at most as far ahead of the reader as the reader has read already (at least
/// <see cref="FirstWindow"/>, at most <see cref="PauseAt"/>): a reader that stops early, as discovery does after
/// its sample, has made little more than its sample travel; one that reads on earns the whole window. About
/// <see cref="PauseAt"/> bytes at most wait in memory, whatever the file size.
/// </summary>
internal static class ReadAheadStream
{
    private const int ChunkSize = 64 * 1024;
    private const long FirstWindow = 256 * 1024;
    private const long PauseAt = 4 * 1024 * 1024;

    public static Stream Over(Stream source, CancellationToken cancellationToken)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: PauseAt, resumeWriterThreshold: PauseAt / 2,
            minimumSegmentSize: ChunkSize, useSynchronizationContext: false));
        var progress = new ReadProgress();
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _ = Task.Run(() => PumpAsync(source, pipe.Writer, progress, stop.Token), CancellationToken.None);
        return new OwningStream(pipe.Reader.AsStream(), progress, () =>
        {
            stop.Cancel();
            stop.Dispose();
        });
    }

    /// <summary>How far the pump may run ahead of a reader that has read <paramref name="consumed"/> bytes.</summary>
    internal static long Window(long consumed) => Math.Clamp(consumed, FirstWindow, PauseAt);

    private static async Task PumpAsync(Stream source, PipeWriter writer, ReadProgress progress, CancellationToken cancellationToken)
    {
        try
        {
            long written = 0;
            while (true)
            {
                await progress.WaitUntilBelowWindowAsync(written, cancellationToken).ConfigureAwait(false);
                var memory = writer.GetMemory(ChunkSize);
                var read = await source.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
                writer.Advance(read);
                written += read;
                var flushed = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (flushed.IsCompleted) break; // the reader is gone
            }
            await writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await writer.CompleteAsync(ex).ConfigureAwait(false);
        }
        finally
        {
            await source.DisposeAsync().ConfigureAwait(false);
        }
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

    /// <summary>The pipe's reading end, which counts what is read and stops the pump when disposed.</summary>
    private sealed class OwningStream(Stream inner, ReadProgress progress, Action onDispose) : Stream
    {
        private int disposed;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));
        public override int Read(Span<byte> buffer) => Counted(inner.Read(buffer));
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Counted(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));
        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Counted(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).ConfigureAwait(false));
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Counted(int read)
        {
            progress.Consumed(read);
            return read;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref disposed, 1) == 0)
            {
                inner.Dispose();
                onDispose();
            }
            base.Dispose(disposing);
        }
    }
}
