using System.Text.Json.Nodes;

namespace ResponsysCluster.Node.Ctl;

/// <summary><c>ctl tables</c>, <c>select</c>, <c>unselect</c>, <c>schedule</c> and <c>reset</c>.</summary>
public sealed partial class CtlCommand
{
    public Task<int> TablesAsync(string id, CancellationToken cancellationToken) => RunAsync(async api =>
    {
        var answer = await api.GetAsync($"connections/{Uri.EscapeDataString(id)}/tables", cancellationToken);
        Print(answer, () =>
        {
            var rows = answer!["tables"]!.AsArray().Select(t => (IReadOnlyList<string>)[
                Text(t, "table"), Text(t, "selected") == "true" ? "yes" : "", ColumnsCell(t!), Text(t, "on_server") == "true" ? "yes" : "no",
                Text(t, "files_loaded"), Text(t, "rows_loaded"), Text(t, "last_loaded_at"), Text(t?["bookmark"], "modified_since")]);
            var warning = answer["listing_error"] is { } error ? $"the server could not be listed: {error}\n" : "";
            return warning + TextTable.Render(["TABLE", "SELECTED", "COLUMNS", "ON SERVER", "FILES", "ROWS", "LAST LOADED", "MODIFIED SINCE"], rows);
        });
    });

    /// <summary>Selects <paramref name="table"/> (only <paramref name="columns"/> of it when given), keeping the rest of the selection.</summary>
    public Task<int> SelectAsync(string id, string table, IReadOnlyList<string>? columns, CancellationToken cancellationToken) =>
        ChangeSelectionAsync(id, table, true, columns, cancellationToken);

    public Task<int> UnselectAsync(string id, string table, CancellationToken cancellationToken) =>
        ChangeSelectionAsync(id, table, false, null, cancellationToken);

    /// <summary>
    /// <paramref name="spec"/>: a schedule's JSON (<c>{"cron": "0 2 * * *"}</c>), an interval (<c>6h</c>), a cron
    /// expression (it has spaces), or <c>none</c> for runs on demand only.
    /// </summary>
    public Task<int> ScheduleAsync(string id, string spec, CancellationToken cancellationToken) => RunAsync(async api =>
    {
        var body = spec.TrimStart().StartsWith('{') ? spec
            : spec.Trim() is "none" or "off" ? "null"
            : new JsonObject { [spec.Trim().Contains(' ') ? "cron" : "every"] = spec.Trim() }.ToJsonString();
        var saved = await api.PutAsync($"connections/{Uri.EscapeDataString(id)}/schedule", body, cancellationToken);
        Print(saved, () => $"connection {id}: schedule {saved!["config"]?["schedule"]?.ToJsonString() ?? "on demand only"}\n");
    });

    public Task<int> ResetAsync(string id, string table, CancellationToken cancellationToken) => RunAsync(async api =>
    {
        var answer = await api.PostAsync($"connections/{Uri.EscapeDataString(id)}/tables/{Uri.EscapeDataString(table)}/reset", null, cancellationToken);
        Print(answer, () => $"table {table} of connection {id} reset: emptied, {Text(answer, "files_forgotten")} file versions forgotten; " +
            $"it reloads from {(Text(answer, "reloads_from") is { Length: > 0 } from && from != "null" ? from : "its first file")} at the next run\n");
    });

    /// <summary>Reads the whole selection from the connection's tables, changes one table in it, and puts it back.</summary>
    private Task<int> ChangeSelectionAsync(string id, string table, bool selected, IReadOnlyList<string>? columns, CancellationToken cancellationToken) =>
        RunAsync(async api =>
        {
            var route = $"connections/{Uri.EscapeDataString(id)}";
            var known = (await api.GetAsync(route + "/tables", cancellationToken))!["tables"]!.AsArray();
            if (known.All(t => Text(t, "table") != table))
                throw new CommandFailedException($"connection {id} has no table {table} (neither on the server nor loaded)");
            var selection = new JsonObject();
            foreach (var entry in known)
            {
                var name = Text(entry, "table");
                selection[name] = name == table
                    ? Entry(selected, columns)
                    : Entry(Text(entry, "selected") == "true", entry!["selected_columns"]?.AsArray().Select(c => (string)c!).ToList());
            }
            var saved = await api.PutAsync(route + "/selection", new JsonObject { ["tables"] = selection }.ToJsonString(), cancellationToken);
            Print(saved, () => $"table {table} of connection {id} {(selected ? "selected" : "unselected")}" +
                (columns is null ? "" : $" (columns {string.Join(", ", columns)})") + "\n");
        });

    private static JsonObject Entry(bool selected, IReadOnlyList<string>? columns)
    {
        var entry = new JsonObject { ["selected"] = selected };
        if (selected && columns is not null) entry["columns"] = new JsonArray([.. columns.Select(c => JsonValue.Create(c))]);
        return entry;
    }

    private static string ColumnsCell(JsonNode table)
    {
        if (table["columns"] is not JsonArray columns) return "";
        var selected = columns.Count(c => c?["selected"]?.GetValue<bool>() == true);
        return selected == columns.Count ? $"{columns.Count}" : $"{selected} of {columns.Count}";
    }
}
