using System.Text.Json;
using System.Text.Json.Nodes;
using ResponsysCluster.Domain;
using ResponsysCluster.Domain.Bookmarks;

namespace ResponsysCluster.Singer.Sync;

/// <summary>
/// Singer state: <c>{"bookmarks": {"TABLE": {"modified_since": "…", "files_done": [{"path", "modified"}]}}}</c>.
/// <c>modified_since</c> is what tap-responsys reads; <c>files_done</c> lists the versions done at or above it,
/// so that no file sharing a second with another, or done out of order, is skipped or read twice.
/// Keys this tap does not know are kept as they were.
/// </summary>
public sealed class SingerState
{
    public const string ModifiedSince = "modified_since";
    public const string FilesDone = "files_done";
    /// <summary>Set while a tap-responsys timestamp (every file at it done) is still the watermark.</summary>
    public const string AllDoneAtModifiedSince = "all_done_at_modified_since";

    private readonly JsonObject root;

    private SingerState(JsonObject root) => this.root = root;

    public static SingerState Empty => new(new JsonObject { ["bookmarks"] = new JsonObject() });

    public static SingerState Parse(string json)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The state is not valid JSON: {ex.Message}", ex);
        }
        if (node is not JsonObject root) return Empty;
        // Some runners hand back the last STATE message's value wrapped as {"value": {...}}.
        if (root["bookmarks"] is null && root["value"] is JsonObject wrapped) root = wrapped;
        if (root["bookmarks"] is not JsonObject) root["bookmarks"] = new JsonObject();
        return new SingerState((JsonObject)root.DeepClone());
    }

    /// <summary>The table's bookmark, or null when the state has none for it.</summary>
    public TableBookmark? BookmarkFor(string table)
    {
        if (Bookmarks[table] is not JsonObject bookmark) return null;
        if (bookmark[ModifiedSince] is not JsonValue since || !since.TryGetValue<string>(out var text))
            return null;
        if (!IsoTimestamp.TryParse(text, out var watermark))
            throw new FormatException($"State bookmark '{table}.{ModifiedSince}' is not an ISO-8601 date-time: '{text}'.");

        if (bookmark[FilesDone] is not JsonArray done) return TableBookmark.Restore(watermark, null);
        var allDoneAtWatermark = bookmark[AllDoneAtModifiedSince] is JsonValue flag && flag.TryGetValue<bool>(out var all) && all;
        var versions = new List<DoneVersion>();
        foreach (var entry in done.OfType<JsonObject>())
        {
            var path = entry["path"]?.GetValue<string>();
            var modified = entry["modified"]?.GetValue<string>();
            if (path is null || modified is null || !IsoTimestamp.TryParse(modified, out var at))
                throw new FormatException($"State bookmark '{table}.{FilesDone}' has an entry without a path and an ISO-8601 'modified'.");
            versions.Add(new DoneVersion(path, at));
        }
        return TableBookmark.Restore(watermark, versions, allDoneAtWatermark);
    }

    /// <summary>A copy of this state with the table's bookmark replaced (other keys of the bookmark kept).</summary>
    public SingerState With(string table, TableBookmark bookmark)
    {
        var copy = (JsonObject)root.DeepClone();
        var bookmarks = (JsonObject)copy["bookmarks"]!;
        var entry = bookmarks[table] as JsonObject ?? new JsonObject();
        bookmarks[table] = entry;
        if (bookmark.Watermark is not { } watermark)
        {
            entry.Remove(ModifiedSince);
            entry.Remove(FilesDone);
            return new SingerState(copy);
        }

        entry[ModifiedSince] = IsoTimestamp.Format(watermark);
        entry.Remove(AllDoneAtModifiedSince);
        if (bookmark.AllDoneAtWatermark && bookmark.DoneAbove.Count == 0)
        {
            entry.Remove(FilesDone);
        }
        else
        {
            if (bookmark.AllDoneAtWatermark) entry[AllDoneAtModifiedSince] = true;
            entry[FilesDone] = new JsonArray(bookmark.DoneAtOrAbove
                .Select(d => (JsonNode)new JsonObject { ["path"] = d.Path, ["modified"] = IsoTimestamp.Format(d.Modified) })
                .ToArray());
        }
        return new SingerState(copy);
    }

    public JsonObject ToJson() => (JsonObject)root.DeepClone();

    private JsonObject Bookmarks => (JsonObject)root["bookmarks"]!;
}
