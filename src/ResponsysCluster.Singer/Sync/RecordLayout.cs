using System.Text.Json;
using ResponsysCluster.Domain.Schema;

namespace ResponsysCluster.Singer.Sync;

/// <summary>
/// How one file's header maps onto its stream's schema: each position's JSON name (encoded once per file) and
/// the type its values convert to. A column the catalog does not know is emitted as text.
/// </summary>
public sealed class RecordLayout
{
    private RecordLayout(JsonEncodedText[] names, ColumnType[] types)
    {
        Names = names;
        Types = types;
    }

    public JsonEncodedText[] Names { get; }
    public ColumnType[] Types { get; }
    public int Count => Names.Length;

    public static RecordLayout For(IReadOnlyList<string> header, IReadOnlyDictionary<string, ColumnType> types)
    {
        var names = new JsonEncodedText[header.Count];
        var columnTypes = new ColumnType[header.Count];
        for (var i = 0; i < header.Count; i++)
        {
            names[i] = JsonEncodedText.Encode(header[i], SingerMessageWriter.Encoder);
            columnTypes[i] = types.TryGetValue(header[i], out var type) ? type : ColumnType.String;
        }
        return new RecordLayout(names, columnTypes);
    }
}
