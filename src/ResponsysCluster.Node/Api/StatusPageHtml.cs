using System.Globalization;
using System.Net;
using System.Text;
using ResponsysCluster.Domain;
using ResponsysCluster.Postgres;

namespace ResponsysCluster.Node.Api;

/// <summary>
/// The status page as HTML, with no script: the members, the connections with their latest run, and each loaded
/// table's lag. Every value is HTML-encoded, and names from the SFTP server have their control characters escaped
/// as the reports escape them.
/// </summary>
public static class StatusPageHtml
{
    private const string Style = """
        body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #222; }
        table { border-collapse: collapse; margin-bottom: 1.5em; }
        th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
        th { background: #f0f0f0; }
        td.number { text-align: right; }
        td time, td.number { white-space: nowrap; }
        .unread { color: #a00; font-weight: bold; }
        .failed, .interrupted, .unreachable { color: #a00; }
        .succeeded { color: #070; }
        .muted { color: #777; }
        """;

    private const int ErrorsShown = 3;

    public static string Render(NodeStatus status, int refreshSeconds)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append($"<meta http-equiv=\"refresh\" content=\"{refreshSeconds.ToString(CultureInfo.InvariantCulture)}\">")
            .Append("<title>ResponsysCluster: ").Append(Encode(status.Self.Name ?? status.Self.Address)).Append("</title>")
            .Append("<style>").Append(Style).Append("</style></head>\n<body>\n<h1>ResponsysCluster</h1>\n")
            .Append("<p id=\"self\">Node <b>").Append(Encode(status.Self.Name ?? "")).Append("</b> at ").Append(Encode(status.Self.Address))
            .Append(", read at ").Append(Time(status.ReadAt)).Append("; this page refreshes every ")
            .Append(refreshSeconds.ToString(CultureInfo.InvariantCulture)).Append(" s.</p>\n");
        foreach (var line in status.Unread) html.Append("<p class=\"unread\">").Append(Encode(line)).Append("</p>\n");
        Members(html, status.Members);
        Connections(html, status.Connections, status.LastRuns);
        Tables(html, status.Tables, status.ReadAt);
        return html.Append("</body></html>\n").ToString();
    }

    private static void Members(StringBuilder html, IReadOnlyList<MemberLine> members)
    {
        html.Append("<h2>Members</h2>\n");
        if (members.Count == 0)
        {
            html.Append("<p class=\"muted\">This node has not joined a cluster yet.</p>\n");
            return;
        }
        Header(html, "members", "Address", "Name", "Status", "Leader", "Reachable");
        foreach (var m in members)
        {
            html.Append("<tr data-address=\"").Append(Encode(m.Address)).Append("\">");
            Cell(html, "address", m.Address);
            Cell(html, "name", m.Name ?? "");
            Cell(html, "status", m.Status);
            Cell(html, "leader", m.Leader ? "yes" : "no");
            Cell(html, m.Reachable ? "reachable" : "reachable unreachable", m.Reachable ? "yes" : "no");
            html.Append("</tr>\n");
        }
        html.Append("</tbody></table>\n");
    }

    private static void Connections(StringBuilder html, IReadOnlyList<ConnectionLine>? connections, IReadOnlyDictionary<string, LastRun>? lastRuns)
    {
        html.Append("<h2>Connections</h2>\n");
        if (connections is null) return;
        if (connections.Count == 0)
        {
            html.Append("<p class=\"muted\">No connection is registered.</p>\n");
            return;
        }
        Header(html, "connections", "Connection", "Schedule", "Last run", "Started", "Ended", "Rows loaded", "Errors");
        foreach (var c in connections)
        {
            html.Append("<tr data-connection=\"").Append(Encode(c.Id)).Append("\">");
            Cell(html, "id", c.Id);
            Cell(html, "schedule", c.Paused ? "paused" : "active");
            if (lastRuns is null) html.Append("<td class=\"run muted\" colspan=\"5\">unknown</td>");
            else if (!lastRuns.TryGetValue(c.Id, out var run)) html.Append("<td class=\"run muted\" colspan=\"5\">never run</td>");
            else
            {
                Cell(html, "run " + Encode(run.Status), run.Status);
                html.Append("<td class=\"started\">").Append(Time(run.StartedAt)).Append("</td>");
                html.Append("<td class=\"ended\">").Append(run.EndedAt is { } ended ? Time(ended) : "").Append("</td>");
                Cell(html, "rows number", run.RowsLoaded is { } rows ? Count(rows) : "");
                Errors(html, run.Errors);
            }
            html.Append("</tr>\n");
        }
        html.Append("</tbody></table>\n");
    }

    private static void Errors(StringBuilder html, IReadOnlyList<string> errors)
    {
        html.Append("<td class=\"errors\">");
        if (errors.Count == 0) html.Append("none");
        for (var i = 0; i < Math.Min(errors.Count, ErrorsShown); i++) html.Append(i > 0 ? "<br>" : "").Append(Encode(errors[i]));
        if (errors.Count > ErrorsShown) html.Append("<br>and ").Append(errors.Count - ErrorsShown).Append(" more");
        html.Append("</td>");
    }

    private static void Tables(StringBuilder html, IReadOnlyList<LoadedTable>? tables, DateTimeOffset now)
    {
        html.Append("<h2>Tables</h2>\n");
        if (tables is null) return;
        if (tables.Count == 0)
        {
            html.Append("<p class=\"muted\">No table has been loaded yet.</p>\n");
            return;
        }
        Header(html, "tables", "Connection", "Table", "Files loaded", "Rows loaded", "Last file loaded", "Loaded at", "Newest file modified", "Lag");
        foreach (var t in tables)
        {
            html.Append("<tr data-connection=\"").Append(Encode(t.ConnectionId)).Append("\" data-table=\"").Append(Encode(t.Table)).Append("\">");
            Cell(html, "connection", t.ConnectionId);
            Cell(html, "table", t.Table);
            Cell(html, "files number", Count(t.FilesLoaded));
            Cell(html, "rows number", Count(t.RowsLoaded));
            Cell(html, "last-file", t.LastPath);
            html.Append("<td class=\"loaded-at\">").Append(Time(t.LastLoadedAt)).Append("</td>");
            html.Append("<td class=\"newest-modified\">").Append(Time(t.NewestModified)).Append("</td>");
            Cell(html, "lag number", ElapsedText.Of(t.LagAt(now)));
            html.Append("</tr>\n");
        }
        html.Append("</tbody></table>\n");
    }

    private static void Header(StringBuilder html, string id, params string[] columns)
    {
        html.Append("<table id=\"").Append(id).Append("\"><thead><tr>");
        foreach (var column in columns) html.Append("<th>").Append(column).Append("</th>");
        html.Append("</tr></thead><tbody>\n");
    }

    private static void Cell(StringBuilder html, string cssClass, string text) =>
        html.Append("<td class=\"").Append(cssClass).Append("\">").Append(Encode(text)).Append("</td>");

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset at) =>
        $"<time datetime=\"{IsoTimestamp.Format(at)}\">{at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)}</time>";

    private static string Encode(string text) => WebUtility.HtmlEncode(PrintableText.Escape(text));
}
