using System.Text.Json.Nodes;
using ResponsysCluster.Domain.Schema;

namespace ResponsysCluster.Singer.Catalog;

/// <summary>One stream (one Responsys table) of a Singer catalog.</summary>
public sealed record CatalogStream(string TapStreamId, string StreamName, JsonObject Schema, JsonArray Metadata)
{
    /// <summary>Stream-level metadata <c>"selected": true</c> (or the older <c>schema.selected</c>).</summary>
    public bool IsSelected =>
        StreamMetadata?["selected"] is JsonValue selected && selected.TryGetValue<bool>(out var isSelected) ? isSelected
        : Schema["selected"] is JsonValue legacy && legacy.TryGetValue<bool>(out var legacySelected) && legacySelected;

    public IReadOnlyList<string> KeyProperties =>
        StreamMetadata?["table-key-properties"] is JsonArray keys
            ? keys.Select(k => k!.GetValue<string>()).ToList()
            : StreamSchemas.KeyProperties;

    public IReadOnlyDictionary<string, ColumnType> ColumnTypes => StreamSchemas.ColumnTypes(Schema);

    private JsonObject? StreamMetadata => Metadata.OfType<JsonObject>()
        .FirstOrDefault(m => m["breadcrumb"] is JsonArray { Count: 0 })?["metadata"] as JsonObject;

    public JsonObject ToJson() => new()
    {
        ["stream"] = StreamName,
        ["tap_stream_id"] = TapStreamId,
        ["schema"] = Schema.DeepClone(),
        ["metadata"] = Metadata.DeepClone(),
    };

    /// <summary>A discovered stream: every property automatic, keyed by source file and line.</summary>
    public static CatalogStream Discovered(string table, IReadOnlyList<Column> columns)
    {
        var schema = StreamSchemas.For(columns);
        var metadata = new JsonArray(new JsonObject
        {
            ["breadcrumb"] = new JsonArray(),
            ["metadata"] = new JsonObject
            {
                ["table-key-properties"] = new JsonArray(StreamSchemas.KeyProperties.Select(k => (JsonNode)JsonValue.Create(k)).ToArray()),
            },
        });
        foreach (var (name, _) in (JsonObject)schema["properties"]!)
        {
            metadata.Add(new JsonObject
            {
                ["breadcrumb"] = new JsonArray("properties", name),
                ["metadata"] = new JsonObject { ["inclusion"] = "automatic" },
            });
        }
        return new CatalogStream(table, table, schema, metadata);
    }
}
