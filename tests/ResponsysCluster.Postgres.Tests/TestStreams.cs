namespace ResponsysCluster.Postgres.Tests;

/// <summary>A read-only in-memory file that counts the bytes handed out, to see how far a reader went.</summary>
internal sealed class CountingStream(byte[] content) : Stream
{
    private readonly MemoryStream _inner = new(content);

    public long BytesRead { get; private set; }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = _inner.Read(buffer, offset, count);
        BytesRead += read;
        return read;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>
/// A file that hands out its first <c>head</c> bytes, then stops until <see cref="Open"/> is called, as a slow
/// SFTP read would: the loader reading it sits in the middle of its COPY, transaction open.
/// </summary>
internal sealed class GatedStream(byte[] content, int head) : Stream
{
    private readonly MemoryStream _inner = new(content);
    private readonly ManualResetEventSlim _gate = new(false);
    private readonly TaskCompletionSource _reachedGate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the reader has read the head and waits for more.</summary>
    public Task ReachedGate => _reachedGate.Task;

    public void Open() => _gate.Set();

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_inner.Position >= head && !_gate.IsSet)
        {
            _reachedGate.TrySetResult();
            _gate.Wait(TimeSpan.FromSeconds(60));
        }
        var limit = _gate.IsSet ? count : (int)Math.Min(count, head - _inner.Position);
        return _inner.Read(buffer, offset, limit);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _gate.Dispose();
        base.Dispose(disposing);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
