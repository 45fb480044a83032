using System.Text.Json;
using System.Text.Json.Nodes;

namespace ResponsysCluster.Singer.Catalog;

/// <summary>A Singer catalog: <c>{"streams": [...]}</c>.</summary>
public sealed record SingerCatalog(IReadOnlyList<CatalogStream> Streams)
{
    public static SingerCatalog Parse(string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The catalog is not valid JSON: {ex.Message}", ex);
        }
        if (root?["streams"] is not JsonArray streams)
            throw new FormatException("The catalog has no \"streams\" array.");

        var parsed = new List<CatalogStream>();
        foreach (var (node, index) in streams.Select((s, i) => (s, i)))
        {
            if (node is not JsonObject stream)
                throw new FormatException($"Catalog stream #{index + 1} is not an object.");
            var id = stream["tap_stream_id"]?.GetValue<string>() ?? stream["stream"]?.GetValue<string>()
                ?? throw new FormatException($"Catalog stream #{index + 1} has no tap_stream_id.");
            var name = stream["stream"]?.GetValue<string>() ?? id;
            var schema = stream["schema"] as JsonObject ?? throw new FormatException($"Catalog stream '{id}' has no schema.");
            var metadata = stream["metadata"] as JsonArray ?? [];
            parsed.Add(new CatalogStream(id, name, (JsonObject)schema.DeepClone(), (JsonArray)metadata.DeepClone()));
        }
        return new SingerCatalog(parsed);
    }

    public string ToJson() => new JsonObject
    {
        ["streams"] = new JsonArray(Streams.Select(s => (JsonNode)s.ToJson()).ToArray()),
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
