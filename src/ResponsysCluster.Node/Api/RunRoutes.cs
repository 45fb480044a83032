using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ResponsysCluster.Postgres;

namespace ResponsysCluster.Node.Api;

/// <summary><c>/connections/{id}/runs</c> and <c>/runs/{run_id}</c>: runs as the control tables keep them, with their report and log.</summary>
internal static class RunRoutes
{
    private const int DefaultLimit = 20;
    private const int MaxLimit = 1000;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/connections/{id}/runs", async (string id, HttpContext context) =>
        {
            var limitText = context.Request.Query["limit"].ToString();
            var limit = DefaultLimit;
            if (limitText.Length > 0 && (!int.TryParse(limitText, out limit) || limit is < 1 or > MaxLimit))
                return ApiResults.BadRequest($"limit must be a whole number from 1 to {MaxLimit}");
            var runs = await History(context).RunsOfAsync(id, limit, context.RequestAborted);
            return Results.Json(runs.Select(View));
        });
        api.MapGet("/runs/{runId}", async (string runId, HttpContext context) =>
        {
            if (!Guid.TryParse(runId, out var id)) return ApiResults.BadRequest($"'{runId}' is not a run id");
            if (await History(context).RunAsync(id, context.RequestAborted) is not { } run) return ApiResults.NotFound($"no run {id}");
            var tables = await History(context).ReportAsync(id, context.RequestAborted);
            var progress = await History(context).ProgressAsync(id, context.RequestAborted);
            return Results.Json(new
            {
                run = View(run),
                progress = new
                {
                    files_pending = progress.FilesPending, files_done = progress.FilesDone, files_failed = progress.FilesFailed, rows_loaded = progress.RowsLoaded,
                },
                tables = tables.Select(t => new
                {
                    table = t.Table, files_loaded = t.FilesLoaded, files_skipped = t.FilesSkipped, files_failed = t.FilesFailed,
                    files_waiting = t.FilesWaiting, files_abandoned = t.FilesAbandoned, rows_loaded = t.RowsLoaded, rows_replaced = t.RowsReplaced,
                    bytes = t.Bytes, seconds = t.Seconds, errors = t.Errors,
                }),
            });
        });
        api.MapGet("/runs/{runId}/log", async (string runId, HttpContext context) =>
        {
            if (!Guid.TryParse(runId, out var id)) return ApiResults.BadRequest($"'{runId}' is not a run id");
            var steps = await History(context).LogAsync(id, context.RequestAborted);
            return steps.Count == 0
                ? ApiResults.NotFound($"no run {id}")
                : Results.Json(steps.Select(s => new { at = s.At, node = s.Node, step = s.Step, table = s.Table, path = s.Path, message = s.Message }));
        });
    }

    private static object View(RunSummary run) => new
    {
        run_id = run.RunId, connection_id = run.ConnectionId, node = run.Node, status = run.Status, started_at = run.StartedAt,
        ended_at = run.EndedAt, errors = run.Errors,
    };

    private static RunHistory History(HttpContext context) => context.RequestServices.GetRequiredService<RunHistory>();
}
