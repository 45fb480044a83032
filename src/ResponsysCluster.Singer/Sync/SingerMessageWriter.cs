using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Schema;
using ResponsysCluster.Singer.Catalog;

namespace ResponsysCluster.Singer.Sync;

/// <summary>
/// Writes Singer messages, one JSON object per line. Records are written field by field from the CSV reader's
/// buffer: integers and numbers as JSON numbers with every digit kept, date-times as RFC 3339 UTC strings
/// (<c>2018-09-11T09:11:02.000000Z</c>, as singer-python writes them), empty values as null, and any value that
/// does not convert as the source text.
/// </summary>
public sealed class SingerMessageWriter : IDisposable
{
    /// <summary>Non-ASCII text is written as UTF-8, not as \u escapes.</summary>
    public static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    private static readonly JsonEncodedText TypeName = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText StreamName = JsonEncodedText.Encode("stream");
    private static readonly byte[] Null = "null"u8.ToArray();
    private static readonly byte[] Extra = (",\"" + SystemColumns.Extra + "\":[").Select(c => (byte)c).ToArray();
    private static readonly JsonSerializerOptions NodeOptions = new() { Encoder = Encoder };

    // Messages collect in memory and reach the output in large writes: one write per message would cost a
    // system call per record.
    private const int WriteThreshold = 256 * 1024;

    private readonly Stream output;
    private readonly ArrayBufferWriter<byte> pending = new(WriteThreshold * 2);
    private readonly Utf8JsonWriter json;

    public SingerMessageWriter(Stream output)
    {
        this.output = output;
        json = new Utf8JsonWriter(pending, new JsonWriterOptions { Encoder = Encoder, SkipValidation = true });
    }

    public void WriteSchema(CatalogStream stream)
    {
        json.WriteStartObject();
        json.WriteString(TypeName, "SCHEMA");
        json.WriteString(StreamName, stream.TapStreamId);
        json.WritePropertyName("schema");
        stream.Schema.WriteTo(json, NodeOptions);
        json.WriteStartArray("key_properties");
        foreach (var key in stream.KeyProperties) json.WriteStringValue(key);
        json.WriteEndArray();
        json.WriteEndObject();
        EndMessage();
    }

    public void WriteState(SingerState state)
    {
        json.WriteStartObject();
        json.WriteString(TypeName, "STATE");
        json.WritePropertyName("value");
        state.ToJson().WriteTo(json, NodeOptions);
        json.WriteEndObject();
        EndMessage();
        Flush();
    }

    /// <summary>Writes the reader's current record as a RECORD message.</summary>
    public void WriteRecord(RecordLayout layout, ExportRecordReader reader)
    {
        JsonText.Raw(pending, layout.Opening);
        var fields = reader.FieldCount;
        for (var i = 0; i < layout.Count; i++)
        {
            JsonText.Raw(pending, layout.Names[i]);
            if (i < fields) WriteValue(layout.Types[i], reader.Field(i));
            else JsonText.Raw(pending, Null);
        }
        if (fields > layout.Count)
        {
            JsonText.Raw(pending, Extra);
            for (var i = layout.Count; i < fields; i++)
            {
                if (i > layout.Count) JsonText.Byte(pending, (byte)',');
                JsonText.String(pending, reader.Field(i));
            }
            JsonText.Byte(pending, (byte)']');
        }
        JsonText.Raw(pending, layout.SourceFile);
        JsonText.Number(pending, reader.SourceLineNumber);
        JsonText.Raw(pending, layout.Closing);
        JsonText.Byte(pending, (byte)'\n');
        if (pending.WrittenCount >= WriteThreshold) WritePending();
    }

    /// <summary>Writes messages another writer spooled (whole lines), after everything written here so far.</summary>
    public void WriteSpooled(Stream messages)
    {
        Flush();
        messages.CopyTo(output);
        output.Flush();
    }

    public void Flush()
    {
        json.Flush();
        WritePending();
        output.Flush();
    }

    public void Dispose()
    {
        Flush();
        json.Dispose();
    }

    /// <summary>RFC 3339 UTC with microseconds, as singer-python's transformer writes date-times.</summary>
    public static string FormatDateTime(DateTime utc) =>
        utc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    // "yyyy-MM-ddTHH:mm:ss.ffffffZ" with its quotes.
    private const int RfcDateTimeLength = 29;

    /// <summary>The quoted JSON string of <see cref="FormatDateTime(DateTime)"/>, digit by digit: a format string per value costs more than the rest of the record.</summary>
    private static void FormatDateTime(DateTime utc, Span<byte> text)
    {
        text[0] = (byte)'"';
        Digits(text.Slice(1, 4), utc.Year);
        text[5] = (byte)'-';
        Digits(text.Slice(6, 2), utc.Month);
        text[8] = (byte)'-';
        Digits(text.Slice(9, 2), utc.Day);
        text[11] = (byte)'T';
        Digits(text.Slice(12, 2), utc.Hour);
        text[14] = (byte)':';
        Digits(text.Slice(15, 2), utc.Minute);
        text[17] = (byte)':';
        Digits(text.Slice(18, 2), utc.Second);
        text[20] = (byte)'.';
        Digits(text.Slice(21, 6), (int)(utc.Ticks % TimeSpan.TicksPerSecond / 10));
        text[27] = (byte)'Z';
        text[28] = (byte)'"';
    }

    private static void Digits(Span<byte> target, int value)
    {
        for (var i = target.Length - 1; i >= 0; i--)
        {
            target[i] = (byte)('0' + value % 10);
            value /= 10;
        }
    }

    private void WriteValue(ColumnType type, ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            JsonText.Raw(pending, Null);
            return;
        }

        switch (type)
        {
            // The source digits are written as they are: the conversion only decides whether they are a number.
            case ColumnType.Integer when ColumnValues.TryInteger(value, out _):
            case ColumnType.Number when ColumnValues.TryNumber(value, out _):
                JsonText.Ascii(pending, value);
                return;
            // Singer's rule: a wall-clock time is read as UTC.
            case ColumnType.DateTime when ColumnValues.TryDateTimeUtc(value, TimeZoneInfo.Utc, out var utc):
                Span<byte> text = stackalloc byte[RfcDateTimeLength];
                FormatDateTime(utc, text);
                JsonText.Raw(pending, text);
                return;
            default:
                JsonText.String(pending, value);
                return;
        }
    }

    private void EndMessage()
    {
        json.Flush();
        pending.GetSpan(1)[0] = (byte)'\n';
        pending.Advance(1);
        json.Reset();
        if (pending.WrittenCount >= WriteThreshold) WritePending();
    }

    private void WritePending()
    {
        output.Write(pending.WrittenSpan);
        pending.ResetWrittenCount();
    }
}
