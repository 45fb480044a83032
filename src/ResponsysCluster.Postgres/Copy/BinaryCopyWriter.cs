using System.Buffers.Binary;
using System.Text;
using Npgsql;

namespace ResponsysCluster.Postgres.Copy;

/// <summary>
/// Writes rows in PostgreSQL's binary COPY format (<c>COPY … FROM STDIN (FORMAT BINARY)</c>) straight into the
/// connection's raw copy stream. Npgsql's <see cref="NpgsqlBinaryImporter"/> resolves a type handler for every value
/// it writes, which cost the loader most of its CPU; here each value is a few bytes copied into one buffer, and text
/// is encoded to UTF-8 from the parser's buffer with no string in between.
/// </summary>
/// <remarks>
/// Rows are built in memory and sent between rows (<see cref="EndRowAsync"/>), so a row is never sent in part and
/// the buffer grows only for a row larger than it.
/// </remarks>
internal sealed class BinaryCopyWriter : IAsyncDisposable
{
    private const int DefaultBufferSize = 64 * 1024;
    // Sent once this much is buffered at the end of a row.
    private const int SendAt = DefaultBufferSize - DefaultBufferSize / 8;
    // A buffer that grew past this for a huge row is given back once sent.
    private const int MaxKeptBufferSize = 1024 * 1024;
    // PGCOPY\n\377\r\n\0, then the flags field and the header extension's length, both 0.
    private static readonly byte[] FileHeader = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];
    // Microseconds from 0001-01-01 to PostgreSQL's epoch, 2000-01-01 00:00:00 UTC.
    private static readonly long PostgresEpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
    private const byte JsonbVersion = 1;

    private readonly NpgsqlRawCopyStream stream;
    private byte[] buffer = new byte[DefaultBufferSize];
    private int used;
    private bool completed;

    private BinaryCopyWriter(NpgsqlRawCopyStream stream)
    {
        this.stream = stream;
        FileHeader.CopyTo(buffer, 0);
        used = FileHeader.Length;
    }

    /// <summary>Starts <paramref name="copyCommand"/> (a <c>COPY … FROM STDIN (FORMAT BINARY)</c>) on <paramref name="connection"/>.</summary>
    public static async Task<BinaryCopyWriter> BeginAsync(NpgsqlConnection connection, string copyCommand, CancellationToken cancellationToken) =>
        new(await connection.BeginRawBinaryCopyAsync(copyCommand, cancellationToken).ConfigureAwait(false));

    /// <summary>Rows ended so far.</summary>
    public long Rows { get; private set; }

    /// <summary>Bytes built and not yet sent.</summary>
    internal int BufferedBytes => used;

    /// <summary>The buffer's size: grown for a row larger than it, and given back once that row is sent.</summary>
    internal int BufferSize => buffer.Length;

    public void StartRow(int fieldCount) => BinaryPrimitives.WriteInt16BigEndian(Reserve(2), checked((short)fieldCount));

    public void WriteNull() => BinaryPrimitives.WriteInt32BigEndian(Reserve(4), -1);

    public void WriteBigint(long value)
    {
        var span = Reserve(12);
        BinaryPrimitives.WriteInt32BigEndian(span, 8);
        BinaryPrimitives.WriteInt64BigEndian(span[4..], value);
    }

    /// <summary>A <c>timestamptz</c>: <paramref name="utc"/> in whole microseconds (the ticks below one are dropped).</summary>
    public void WriteTimestampTz(DateTime utc) => WriteBigint((utc.Ticks - PostgresEpochTicks) / TimeSpan.TicksPerMicrosecond);

    public void WriteNumeric(decimal value)
    {
        Span<short> digits = stackalloc short[NumericDigits.MaxDigits];
        var numeric = NumericDigits.Of(value, digits);
        var span = Reserve(4 + 8 + 2 * numeric.Count);
        BinaryPrimitives.WriteInt32BigEndian(span, 8 + 2 * numeric.Count);
        BinaryPrimitives.WriteInt16BigEndian(span[4..], (short)numeric.Count);
        BinaryPrimitives.WriteInt16BigEndian(span[6..], numeric.Weight);
        BinaryPrimitives.WriteUInt16BigEndian(span[8..], numeric.Negative ? (ushort)0x4000 : (ushort)0);
        BinaryPrimitives.WriteInt16BigEndian(span[10..], numeric.Scale);
        for (var i = 0; i < numeric.Count; i++) BinaryPrimitives.WriteInt16BigEndian(span[(12 + 2 * i)..], digits[i]);
    }

    /// <summary>A <c>text</c> value, encoded as UTF-8.</summary>
    public void WriteText(ReadOnlySpan<char> value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        var span = Reserve(4 + length);
        BinaryPrimitives.WriteInt32BigEndian(span, length);
        Encoding.UTF8.GetBytes(value, span[4..]);
    }

    /// <summary>A <c>jsonb</c> value from its JSON text.</summary>
    public void WriteJsonb(ReadOnlySpan<char> json)
    {
        var length = Encoding.UTF8.GetByteCount(json);
        var span = Reserve(5 + length);
        BinaryPrimitives.WriteInt32BigEndian(span, length + 1);
        span[4] = JsonbVersion;
        Encoding.UTF8.GetBytes(json, span[5..]);
    }

    /// <summary>A <c>jsonb</c> value from its JSON text, already UTF-8.</summary>
    public void WriteJsonb(ReadOnlySpan<byte> utf8Json)
    {
        var span = Reserve(5 + utf8Json.Length);
        BinaryPrimitives.WriteInt32BigEndian(span, utf8Json.Length + 1);
        span[4] = JsonbVersion;
        utf8Json.CopyTo(span[5..]);
    }

    /// <summary>A field already in its binary form, length prefix included (a value every row repeats).</summary>
    public void WriteEncoded(ReadOnlySpan<byte> field) => field.CopyTo(Reserve(field.Length));

    /// <summary>The bytes <see cref="WriteText"/> writes for <paramref name="value"/>: to encode a repeated value once.</summary>
    public static byte[] EncodeText(string value)
    {
        var bytes = new byte[4 + Encoding.UTF8.GetByteCount(value)];
        BinaryPrimitives.WriteInt32BigEndian(bytes, bytes.Length - 4);
        Encoding.UTF8.GetBytes(value, bytes.AsSpan(4));
        return bytes;
    }

    /// <summary>The bytes <see cref="WriteTimestampTz"/> writes for <paramref name="utc"/>.</summary>
    public static byte[] EncodeTimestampTz(DateTime utc)
    {
        var bytes = new byte[12];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 8);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(4), (utc.Ticks - PostgresEpochTicks) / TimeSpan.TicksPerMicrosecond);
        return bytes;
    }

    /// <summary>Ends the row; sends what is buffered once the buffer is full enough.</summary>
    public ValueTask EndRowAsync(CancellationToken cancellationToken)
    {
        Rows++;
        return used >= SendAt ? SendAsync(cancellationToken) : ValueTask.CompletedTask;
    }

    /// <summary>Sends the rest and the trailer and ends the COPY; the server's refusal of any row throws here.</summary>
    public async Task<long> CompleteAsync(CancellationToken cancellationToken)
    {
        BinaryPrimitives.WriteInt16BigEndian(Reserve(2), -1);
        await SendAsync(cancellationToken).ConfigureAwait(false);
        completed = true;
        await stream.DisposeAsync().ConfigureAwait(false);
        return Rows;
    }

    /// <summary>Cancels the COPY unless it was completed: the server then keeps none of its rows.</summary>
    public async ValueTask DisposeAsync()
    {
        if (completed) return;
        completed = true;
        try
        {
            await stream.CancelAsync().ConfigureAwait(false);
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask SendAsync(CancellationToken cancellationToken)
    {
        await stream.WriteAsync(buffer.AsMemory(0, used), cancellationToken).ConfigureAwait(false);
        used = 0;
        if (buffer.Length > MaxKeptBufferSize) buffer = new byte[DefaultBufferSize];
    }

    private Span<byte> Reserve(int count)
    {
        if (used + count > buffer.Length)
        {
            var grown = new byte[Math.Max(buffer.Length * 2, used + count)];
            buffer.AsSpan(0, used).CopyTo(grown);
            buffer = grown;
        }
        var span = buffer.AsSpan(used, count);
        used += count;
        return span;
    }
}
