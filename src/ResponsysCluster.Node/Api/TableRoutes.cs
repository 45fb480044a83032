using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Engine.Bookmarks;
using ResponsysCluster.Postgres;
using static ResponsysCluster.Engine.Bookmarks.TableBookmarkProtocol;
using static ResponsysCluster.Node.Api.RegistryAccess;

namespace ResponsysCluster.Node.Api;

/// <summary>
/// A connection's tables: what its directory holds with the inferred columns, what is selected, each table's
/// bookmark and what the ledger says was loaded (<c>GET /connections/{id}/tables</c>); the selection
/// (<c>PUT /connections/{id}/selection</c>); and a table started over (<c>POST /connections/{id}/tables/{table}/reset</c>).
/// </summary>
internal static class TableRoutes
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/connections/{id}/tables", ListAsync);
        api.MapPut("/connections/{id}/selection", SelectAsync);
        api.MapPost("/connections/{id}/tables/{table}/reset", ResetAsync);
    }

    private static async Task<IResult> ListAsync(string id, HttpContext context)
    {
        if (await FindAsync(context, id) is not { } connection) return Unknown(id);
        ConnectionConfig config;
        try
        {
            config = ConfigOf(connection);
        }
        catch (ConfigException ex)
        {
            return Unreadable(id, ex);
        }
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("api");
        var server = await ServerTables.SampleAsync(config, logger, context.RequestAborted);
        var loaded = (await context.RequestServices.GetRequiredService<LoadedTables>().OfAsync(id, context.RequestAborted))
            .ToDictionary(t => t.Table, StringComparer.Ordinal);
        var names = server.Columns.Keys.Concat(loaded.Keys).Concat(config.Tables ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var bookmarks = context.RequestServices.GetRequiredService<ActorRegistry>().Get<TableBookmarkActor>();
        var tables = new List<object>();
        foreach (var table in names)
        {
            // Only tables the connection has or had: asking for a bookmark starts (and remembers) its entity.
            var bookmark = server.Columns.ContainsKey(table) || loaded.ContainsKey(table)
                ? (await bookmarks.Ask<BookmarkState>(new GetBookmark(id, table), AnswerLimit, context.RequestAborted)).Snapshot
                : null;
            var selectedColumns = config.ColumnsOf(table);
            var done = loaded.GetValueOrDefault(table);
            tables.Add(new
            {
                table,
                selected = config.Selects(table),
                on_server = server.Columns.ContainsKey(table),
                columns = server.Columns.GetValueOrDefault(table)?.Select(c => new
                {
                    name = c.Name,
                    type = c.Type.ToString().ToLowerInvariant(),
                    selected = selectedColumns is null || selectedColumns.Contains(c.Name, StringComparer.Ordinal),
                }),
                selected_columns = selectedColumns,
                bookmark = bookmark is null ? null : new { modified_since = bookmark.Watermark, files_done = bookmark.DoneAtOrAbove.Count },
                files_loaded = done?.FilesLoaded ?? 0,
                rows_loaded = done?.RowsLoaded ?? 0,
                last_file = done?.LastPath,
                last_loaded_at = done?.LastLoadedAt,
            });
        }
        return Results.Json(new { connection_id = id, all_tables_selected = config.Tables is null, listing_error = server.Error, tables });
    }

    /// <summary>
    /// The whole selection: <c>{"tables": {"T": {"selected": true, "columns": ["A"]}}}</c> loads exactly the tables
    /// marked selected (columns absent: all of them); <c>{"tables": null}</c> goes back to every table found.
    /// </summary>
    private static async Task<IResult> SelectAsync(string id, HttpContext context)
    {
        var (body, error) = await ReadObjectAsync(context);
        if (body is null) return ApiResults.BadRequest(error!);
        if (body.Select(p => p.Key).FirstOrDefault(k => k != "tables") is { } unknown) return ApiResults.BadRequest($"'{unknown}' is not part of a selection; give only \"tables\"");
        if (!body.ContainsKey("tables")) return ApiResults.BadRequest("'tables' is missing: {\"tables\": {\"TABLE\": {\"selected\": true}}} or {\"tables\": null}");
        if (await FindAsync(context, id) is not { } connection) return Unknown(id);
        var document = JsonNode.Parse(connection.Json)!.AsObject();
        document.Remove("tables");
        document.Remove("columns");
        if (body["tables"] is { } given)
        {
            if (given is not JsonObject entries) return ApiResults.BadRequest("'tables' must be an object of table names, or null");
            var tables = new JsonArray();
            var columns = new JsonObject();
            foreach (var (table, entry) in entries)
            {
                if (entry is not JsonObject settings || settings["selected"] is not { } selected || selected.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                    return ApiResults.BadRequest($"tables.{table}: must be {{\"selected\": true|false}}, with \"columns\" optionally");
                if (settings.Select(p => p.Key).FirstOrDefault(k => k is not ("selected" or "columns")) is { } other)
                    return ApiResults.BadRequest($"tables.{table}.{other}: not a selection setting (\"selected\", \"columns\")");
                if (!selected.GetValue<bool>()) continue;
                tables.Add(table);
                if (settings["columns"] is { } list) columns[table] = list.DeepClone();
            }
            document["tables"] = tables;
            if (columns.Count > 0) document["columns"] = columns;
        }
        return await ConnectionRoutes.SaveCheckedAsync(context, id, document, StatusCodes.Status200OK);
    }

    private static IResult Unreadable(string id, ConfigException ex) =>
        ApiResults.Error(StatusCodes.Status422UnprocessableEntity, $"this node cannot read connection {id}'s settings: {ex.Message}");

    private static async Task<IResult> ResetAsync(string id, string table, HttpContext context)
    {
        if (await FindAsync(context, id) is not { } connection) return Unknown(id);
        DateTimeOffset? startDate;
        try
        {
            startDate = ConfigOf(connection).StartDate;
        }
        catch (ConfigException ex)
        {
            return Unreadable(id, ex);
        }
        var bookmarks = context.RequestServices.GetRequiredService<ActorRegistry>().Get<TableBookmarkActor>();
        var reset = await context.RequestServices.GetRequiredService<TableReset>().ResetAsync(id, table,
            cancellation => bookmarks.Ask<BookmarkState>(new ResetTable(id, table, startDate), AnswerLimit, cancellation), context.RequestAborted);
        return reset.Outcome switch
        {
            TableResetOutcome.Reset => Results.Json(new { connection_id = id, table, files_forgotten = reset.FilesForgotten, reloads_from = startDate }),
            TableResetOutcome.RunGoing => ApiResults.Error(StatusCodes.Status409Conflict, $"a run of connection {id} is going; reset {table} once it ends"),
            _ => ApiResults.NotFound($"connection {id} has no table {table}"),
        };
    }
}
