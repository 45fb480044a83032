using System.Buffers.Text;
using System.Text;

namespace ResponsysCluster.Bench.Generation;

/// <summary>
/// Writes CSV as UTF-8 bytes straight into one large buffer: no strings per field or per row, so generating
/// a gigabyte costs disk time, not allocations.
/// </summary>
internal sealed class CsvOutput : IDisposable
{
    private const int BufferSize = 1 << 20;
    // The largest single write (one field) must fit in the buffer's tail; fields here stay far below this.
    private const int MaxWrite = 4096;

    private static readonly byte[] MonthAbbreviations = "JANFEBMARAPRMAYJUNJULAUGSEPOCTNOVDEC"u8.ToArray();

    private readonly Stream stream;
    private readonly byte[] buffer = new byte[BufferSize];
    private int position;
    private long flushed;

    public CsvOutput(Stream stream) => this.stream = stream;

    public static CsvOutput Create(string path) =>
        new(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1, FileOptions.SequentialScan));

    /// <summary>Bytes written so far, buffered ones included.</summary>
    public long Length => flushed + position;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        Reserve(bytes.Length);
        bytes.CopyTo(buffer.AsSpan(position));
        position += bytes.Length;
    }

    public void Write(byte value)
    {
        Reserve(1);
        buffer[position++] = value;
    }

    public void Write(string text)
    {
        Reserve(Encoding.UTF8.GetMaxByteCount(text.Length));
        position += Encoding.UTF8.GetBytes(text, buffer.AsSpan(position));
    }

    public void Comma() => Write((byte)',');

    public void EndRecord() => Write((byte)'\n');

    public void WriteNumber(long value)
    {
        Reserve(20);
        Utf8Formatter.TryFormat(value, buffer.AsSpan(position), out var written);
        position += written;
    }

    /// <summary>Writes <paramref name="value"/> with leading zeros to exactly <paramref name="digits"/> digits.</summary>
    public void WritePadded(long value, int digits)
    {
        Reserve(digits);
        for (var i = position + digits - 1; i >= position; i--)
        {
            buffer[i] = (byte)('0' + value % 10);
            value /= 10;
        }
        position += digits;
    }

    /// <summary>An amount in cents as <c>1234.56</c>.</summary>
    public void WriteCents(long cents)
    {
        WriteNumber(cents / 100);
        Write((byte)'.');
        WritePadded(cents % 100, 2);
    }

    /// <summary><c>2018-09-11 09:11:02</c>, Responsys's format for system date columns.</summary>
    public void WriteIsoDateTime(DateTime value)
    {
        WritePadded(value.Year, 4);
        Write((byte)'-');
        WritePadded(value.Month, 2);
        Write((byte)'-');
        WritePadded(value.Day, 2);
        Write((byte)' ');
        WriteTime(value);
    }

    /// <summary><c>10-SEP-2018 19:27:52</c>, Oracle's default format, used in event feeds.</summary>
    public void WriteOracleDateTime(DateTime value)
    {
        WritePadded(value.Day, 2);
        Write((byte)'-');
        Write(MonthAbbreviations.AsSpan((value.Month - 1) * 3, 3));
        Write((byte)'-');
        WritePadded(value.Year, 4);
        Write((byte)' ');
        WriteTime(value);
    }

    /// <summary>A field quoted as CSV requires: inside quotes, every quote doubled.</summary>
    public void WriteQuoted(ReadOnlySpan<byte> text)
    {
        Reserve(text.Length * 2 + 2);
        buffer[position++] = (byte)'"';
        foreach (var b in text)
        {
            if (b == '"') buffer[position++] = (byte)'"';
            buffer[position++] = b;
        }
        buffer[position++] = (byte)'"';
    }

    public void Flush()
    {
        stream.Write(buffer, 0, position);
        flushed += position;
        position = 0;
        stream.Flush();
    }

    public void Dispose()
    {
        Flush();
        stream.Dispose();
    }

    private void WriteTime(DateTime value)
    {
        WritePadded(value.Hour, 2);
        Write((byte)':');
        WritePadded(value.Minute, 2);
        Write((byte)':');
        WritePadded(value.Second, 2);
    }

    private void Reserve(int count)
    {
        if (count > MaxWrite) throw new InvalidOperationException($"A single write of {count} bytes exceeds {MaxWrite}.");
        if (position + count <= buffer.Length) return;
        stream.Write(buffer, 0, position);
        flushed += position;
        position = 0;
    }
}
