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
        if (root["bookmarks"] is null) root["bookmarks"] = new JsonObject();
        if (root["bookmarks"] is not JsonObject bookmarks)
            throw new FormatException($"State 'bookmarks' must be an object of tables, not {Shown(root["bookmarks"])}.");
        var state = new SingerState((JsonObject)root.DeepClone());
        // Every bookmark is read now: a value of the wrong kind stops the run before any message, naming its key,
        // where ignoring it would silently read every file again.
        foreach (var (table, _) in bookmarks) state.BookmarkFor(table);
        return state;
    }

    /// <summary>The table's bookmark, or null when the state has none for it.</summary>
    public TableBookmark? BookmarkFor(string table)
    {
        var node = Bookmarks[table];
        if (node is null) return null;
        if (node is not JsonObject bookmark)
            throw new FormatException($"State bookmark '{table}' must be an object with '{ModifiedSince}', not {Shown(node)}.");
        if (bookmark[ModifiedSince] is null)
            return bookmark[FilesDone] is null ? null : TableBookmark.RestoreWithoutWatermark(DoneVersions(table, bookmark));
        if (bookmark[ModifiedSince] is not JsonValue since || !since.TryGetValue<string>(out var text))
            throw new FormatException($"State bookmark '{table}.{ModifiedSince}' must be an ISO-8601 date-time string, not {Shown(bookmark[ModifiedSince])}.");
        if (!IsoTimestamp.TryParse(text, out var watermark))
            throw new FormatException($"State bookmark '{table}.{ModifiedSince}' is not an ISO-8601 date-time: '{text}'.");

        if (bookmark[FilesDone] is null) return TableBookmark.Restore(watermark, null);
        var allDoneAtWatermark = bookmark[AllDoneAtModifiedSince] is JsonValue flag && flag.TryGetValue<bool>(out var all) && all;
        return TableBookmark.Restore(watermark, DoneVersions(table, bookmark), allDoneAtWatermark);
    }

    private static List<DoneVersion> DoneVersions(string table, JsonObject bookmark)
    {
        if (bookmark[FilesDone] is not JsonArray done)
            throw new FormatException($"State bookmark '{table}.{FilesDone}' must be an array, not {Shown(bookmark[FilesDone])}.");
        var versions = new List<DoneVersion>();
        foreach (var entry in done)
        {
            string? path = null, modified = null;
            if (entry is JsonObject item)
            {
                (item["path"] as JsonValue)?.TryGetValue(out path);
                (item["modified"] as JsonValue)?.TryGetValue(out modified);
            }
            if (path is null || modified is null || !IsoTimestamp.TryParse(modified, out var at))
                throw new FormatException($"State bookmark '{table}.{FilesDone}' has an entry without a string 'path' and an ISO-8601 'modified': {Shown(entry)}.");
            versions.Add(new DoneVersion(path, at));
        }
        return versions;
    }

    private static JsonArray DoneArray(IEnumerable<DoneVersion> done) =>
        new(done.Select(d => (JsonNode)new JsonObject { ["path"] = d.Path, ["modified"] = IsoTimestamp.Format(d.Modified) }).ToArray());

    /// <summary>A JSON value as the error shows it, cut short: the state is the user's own file, no secret.</summary>
    private static string Shown(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return text.Length <= 80 ? text : text[..77] + "...";
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
            // No watermark yet (no start date, the oldest file still to do): the files done so far are all it knows.
            entry.Remove(ModifiedSince);
            entry.Remove(AllDoneAtModifiedSince);
            if (bookmark.DoneAbove.Count == 0) entry.Remove(FilesDone);
            else entry[FilesDone] = DoneArray(bookmark.DoneAtOrAbove);
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
            entry[FilesDone] = DoneArray(bookmark.DoneAtOrAbove);
        }
        return new SingerState(copy);
    }

    public JsonObject ToJson() => (JsonObject)root.DeepClone();

    private JsonObject Bookmarks => (JsonObject)root["bookmarks"]!;
}
