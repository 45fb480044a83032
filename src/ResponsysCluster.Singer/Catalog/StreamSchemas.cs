using System.Text.Json.Nodes;
using ResponsysCluster.Domain.Schema;

namespace ResponsysCluster.Singer.Catalog;

/// <summary>
/// JSON schemas of streams, written as tap-responsys writes them, and read back from a catalog.
/// Every typed column also allows a string, so a value that does not convert is kept as it was.
/// </summary>
public static class StreamSchemas
{

    public static readonly IReadOnlyList<string> KeyProperties = [SystemColumns.SourceFile, SystemColumns.SourceLineNumber];

    public static JsonObject For(IEnumerable<Column> columns)
    {
        var properties = new JsonObject();
        foreach (var column in columns)
        {
            if (IsSystemColumn(column.Name)) continue;
            properties[column.Name] = PropertyFor(column.Type);
        }
        properties[SystemColumns.SourceFile] = new JsonObject { ["type"] = "string" };
        properties[SystemColumns.SourceLineNumber] = new JsonObject { ["type"] = "integer" };
        properties[SystemColumns.Extra] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } };
        return new JsonObject { ["type"] = "object", ["properties"] = properties };
    }

    public static bool IsSystemColumn(string name) => name is SystemColumns.SourceFile or SystemColumns.SourceLineNumber or SystemColumns.Extra;

    public static JsonObject PropertyFor(ColumnType type) => type switch
    {
        ColumnType.Integer => new JsonObject { ["type"] = new JsonArray("null", "integer", "string") },
        ColumnType.Number => new JsonObject { ["type"] = new JsonArray("null", "number", "string") },
        ColumnType.DateTime => new JsonObject
        {
            ["anyOf"] = new JsonArray(
                new JsonObject { ["type"] = new JsonArray("null", "string"), ["format"] = "date-time" },
                new JsonObject { ["type"] = new JsonArray("null", "string") }),
        },
        _ => new JsonObject { ["type"] = new JsonArray("null", "string") },
    };

    /// <summary>The column types a stream's schema declares (system columns left out).</summary>
    public static IReadOnlyDictionary<string, ColumnType> ColumnTypes(JsonObject schema)
    {
        var types = new Dictionary<string, ColumnType>(StringComparer.Ordinal);
        if (schema["properties"] is not JsonObject properties) return types;
        foreach (var (name, property) in properties)
        {
            if (IsSystemColumn(name) || property is not JsonObject propertySchema) continue;
            types[name] = TypeOf(propertySchema);
        }
        return types;
    }

    private static ColumnType TypeOf(JsonObject property)
    {
        if (IsDateTime(property)) return ColumnType.DateTime;
        if (property["anyOf"] is JsonArray anyOf && anyOf.OfType<JsonObject>().Any(IsDateTime)) return ColumnType.DateTime;
        var types = property["type"] switch
        {
            JsonArray array => array.Select(t => t?.GetValue<string>()).ToList(),
            JsonValue value => [value.GetValue<string>()],
            _ => [],
        };
        return types.Contains("integer") ? ColumnType.Integer
            : types.Contains("number") ? ColumnType.Number
            : ColumnType.String;
    }

    private static bool IsDateTime(JsonObject property) =>
        property["format"] is JsonValue format && format.GetValue<string>() == "date-time";
}
