using System.Text;
using System.Text.Json;
using ResponsysCluster.Domain.Schema;
using ResponsysCluster.Singer.Catalog;

namespace ResponsysCluster.Singer.Sync;

/// <summary>
/// The fixed parts of every RECORD message of one file, encoded once: the message opening, each header
/// column's <c>"NAME":</c> with the type its values convert to (a column the catalog does not know is text),
/// and the closing with the source file and extraction time.
/// </summary>
public sealed class RecordLayout
{
    private RecordLayout(byte[] opening, byte[][] names, ColumnType[] types, byte[] sourceFile, byte[] closing)
    {
        Opening = opening;
        Names = names;
        Types = types;
        SourceFile = sourceFile;
        Closing = closing;
    }

    /// <summary><c>{"type":"RECORD","stream":"T","record":{</c></summary>
    public byte[] Opening { get; }

    /// <summary>Per header column: <c>"NAME":</c>, preceded by a comma for all but the first.</summary>
    public byte[][] Names { get; }

    public ColumnType[] Types { get; }

    /// <summary><c>,"_sdc_extra":</c> is written before extras; then <c>,"_sdc_source_file":"…","_sdc_source_lineno":</c></summary>
    public byte[] SourceFile { get; }

    /// <summary><c>},"time_extracted":"…"}</c></summary>
    public byte[] Closing { get; }

    public int Count => Names.Length;

    /// <param name="header">The file's columns: never empty, the CSV reader refuses a header without names.</param>
    public static RecordLayout For(IReadOnlyList<string> header, IReadOnlyDictionary<string, ColumnType> types,
        string stream, string sourceFile, string timeExtracted)
    {
        var names = new byte[header.Count][];
        var columnTypes = new ColumnType[header.Count];
        for (var i = 0; i < header.Count; i++)
        {
            names[i] = Utf8((i == 0 ? "" : ",") + Quoted(header[i]) + ":");
            columnTypes[i] = types.TryGetValue(header[i], out var type) ? type : ColumnType.String;
        }
        return new RecordLayout(
            Utf8($"{{\"type\":\"RECORD\",\"stream\":{Quoted(stream)},\"record\":{{"),
            names,
            columnTypes,
            Utf8($",\"{SystemColumns.SourceFile}\":{Quoted(sourceFile)},\"{SystemColumns.SourceLineNumber}\":"),
            Utf8($"}},\"time_extracted\":{Quoted(timeExtracted)}}}"));
    }

    private static string Quoted(string text) => JsonSerializer.Serialize(text, new JsonSerializerOptions { Encoder = SingerMessageWriter.Encoder });

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
