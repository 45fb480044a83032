using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace ResponsysCluster.Singer.Sync;

/// <summary>
/// Writes JSON fragments straight into a byte buffer: the RECORD path writes millions of values, and a general
/// JSON writer's bookkeeping per value costs more than the values themselves. Text is written as UTF-8; only
/// the quote, the backslash and control characters are escaped.
/// </summary>
internal static class JsonText
{
    private static readonly SearchValues<char> NeedsEscape = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F");

    public static void Raw(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    /// <summary>Writes ASCII text as it is (numbers that were checked to be JSON numbers).</summary>
    public static void Ascii(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        var span = output.GetSpan(text.Length);
        var written = Encoding.ASCII.GetBytes(text, span);
        output.Advance(written);
    }

    public static void Number(IBufferWriter<byte> output, long value)
    {
        var span = output.GetSpan(20);
        value.TryFormat(span, out var written);
        output.Advance(written);
    }

    /// <summary>Writes <paramref name="text"/> as a quoted JSON string.</summary>
    public static void String(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        Byte(output, (byte)'"');
        while (!text.IsEmpty)
        {
            var escape = text.IndexOfAny(NeedsEscape);
            var plain = escape < 0 ? text : text[..escape];
            if (!plain.IsEmpty) Utf8Of(output, plain);
            if (escape < 0) break;
            Escaped(output, text[escape]);
            text = text[(escape + 1)..];
        }
        Byte(output, (byte)'"');
    }

    public static void Byte(IBufferWriter<byte> output, byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    private static void Utf8Of(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        var span = output.GetSpan(text.Length * 3);
        // Lone surrogates become U+FFFD: JSON text must be valid UTF-8.
        Utf8.FromUtf16(text, span, out _, out var written, replaceInvalidSequences: true);
        output.Advance(written);
    }

    private static void Escaped(IBufferWriter<byte> output, char c)
    {
        var span = output.GetSpan(6);
        span[0] = (byte)'\\';
        var (length, code) = c switch
        {
            '"' => (2, (byte)'"'),
            '\\' => (2, (byte)'\\'),
            '\n' => (2, (byte)'n'),
            '\r' => (2, (byte)'r'),
            '\t' => (2, (byte)'t'),
            '\b' => (2, (byte)'b'),
            '\f' => (2, (byte)'f'),
            _ => (6, (byte)'u'),
        };
        span[1] = code;
        if (length == 6)
        {
            span[2] = (byte)'0';
            span[3] = (byte)'0';
            span[4] = (byte)"0123456789abcdef"[c >> 4];
            span[5] = (byte)"0123456789abcdef"[c & 0xF];
        }
        output.Advance(length);
    }
}
