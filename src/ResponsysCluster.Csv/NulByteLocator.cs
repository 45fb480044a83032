namespace ResponsysCluster.Csv;

/// <summary>
/// Passes a file's bytes through and notes where its first NUL character starts, for each width a NUL can have:
/// one byte (UTF-8 and the single-byte encodings), two (UTF-16) or four (UTF-32) zero bytes at an offset that is a
/// multiple of that width. Decoding runs a buffer ahead of parsing and loses byte positions; this keeps the one
/// position a NUL error needs, at the cost of a vectorised search for zero bytes.
/// </summary>
internal sealed class NulByteLocator(Stream inner) : Stream
{
    private readonly long[] first = [-1, -1, -1];
    private readonly int[] zeroRun = new int[3];
    private long position;

    /// <summary>Byte offset in the file of the first NUL character <paramref name="unitBytes"/> wide, if one has passed.</summary>
    public long? FirstNul(int unitBytes) => first[Slot(unitBytes)] is >= 0 and var offset ? offset : null;

    /// <summary>The width of a NUL in <paramref name="encoding"/>: 4 for UTF-32, 2 for UTF-16, 1 otherwise.</summary>
    public static int UnitOf(System.Text.Encoding encoding) => encoding switch
    {
        System.Text.UTF32Encoding => 4,
        System.Text.UnicodeEncoding => 2,
        _ => 1,
    };

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Scan(buffer[..read]);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Scan(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Scan(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return;
        var zero = data.IndexOf((byte)0);
        if (zero < 0)
        {
            // No zero byte: a unit begun in an earlier read is not a NUL either.
            Array.Clear(zeroRun);
        }
        else
        {
            if (first[0] < 0) first[0] = position + zero;
            ScanUnits(data, 1, 2);
            ScanUnits(data, 2, 4);
        }
        position += data.Length;
    }

    private void ScanUnits(ReadOnlySpan<byte> data, int slot, int width)
    {
        if (first[slot] >= 0) return;
        var run = zeroRun[slot];
        for (var i = 0; i < data.Length; i++)
        {
            var at = position + i;
            if (at % width == 0) run = 0;
            if (data[i] != 0 || run != at % width) continue;
            if (++run == width)
            {
                first[slot] = at - width + 1;
                return;
            }
        }
        zeroRun[slot] = run;
    }

    private static int Slot(int unitBytes) => unitBytes switch
    {
        1 => 0,
        2 => 1,
        4 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(unitBytes), unitBytes, "a NUL is 1, 2 or 4 bytes wide"),
    };

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
