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
    private static readonly JsonEncodedText RecordName = JsonEncodedText.Encode("record");
    private static readonly JsonEncodedText RecordType = JsonEncodedText.Encode("RECORD");
    private static readonly JsonEncodedText TimeExtractedName = JsonEncodedText.Encode("time_extracted");
    private static readonly JsonEncodedText SourceFileName = JsonEncodedText.Encode(StreamSchemas.SourceFile);
    private static readonly JsonEncodedText SourceLineName = JsonEncodedText.Encode(StreamSchemas.SourceLineNumber);
    private static readonly JsonEncodedText ExtraName = JsonEncodedText.Encode(StreamSchemas.Extra);
    private static readonly JsonSerializerOptions NodeOptions = new() { Encoder = Encoder };

    private readonly Stream output;
    private readonly Utf8JsonWriter json;

    public SingerMessageWriter(Stream output)
    {
        this.output = output;
        json = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = Encoder, SkipValidation = true });
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
    public void WriteRecord(JsonEncodedText stream, RecordLayout layout, ExportRecordReader reader,
        JsonEncodedText sourceFile, JsonEncodedText timeExtracted)
    {
        json.WriteStartObject();
        json.WriteString(TypeName, RecordType);
        json.WriteString(StreamName, stream);
        json.WriteStartObject(RecordName);

        var fields = reader.FieldCount;
        for (var i = 0; i < layout.Count; i++)
        {
            if (i < fields) WriteValue(layout.Names[i], layout.Types[i], reader.Field(i));
            else json.WriteNull(layout.Names[i]);
        }
        if (fields > layout.Count)
        {
            json.WriteStartArray(ExtraName);
            for (var i = layout.Count; i < fields; i++) json.WriteStringValue(reader.Field(i));
            json.WriteEndArray();
        }
        json.WriteString(SourceFileName, sourceFile);
        json.WriteNumber(SourceLineName, reader.SourceLineNumber);

        json.WriteEndObject();
        json.WriteString(TimeExtractedName, timeExtracted);
        json.WriteEndObject();
        EndMessage();
    }

    public void Flush()
    {
        json.Flush();
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

    private void WriteValue(JsonEncodedText name, ColumnType type, ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            json.WriteNull(name);
            return;
        }

        switch (type)
        {
            case ColumnType.Integer when ResponsysValues.IsInteger(value):
            case ColumnType.Number when ResponsysValues.IsNumber(value):
                json.WritePropertyName(name);
                json.WriteRawValue(value, skipInputValidation: true);
                return;
            case ColumnType.DateTime when ResponsysDateTime.TryParseUtc(value, out var utc):
                Span<char> text = stackalloc char[32];
                utc.TryFormat(text, out var written, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
                json.WriteString(name, text[..written]);
                return;
            default:
                json.WriteString(name, value);
                return;
        }
    }

    private void EndMessage()
    {
        json.Flush();
        output.WriteByte((byte)'\n');
        json.Reset();
    }
}
