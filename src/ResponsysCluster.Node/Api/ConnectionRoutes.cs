using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Registry;
using ResponsysCluster.Engine.Runs;
using static ResponsysCluster.Engine.Registry.ConnectionRegistryProtocol;
using static ResponsysCluster.Engine.Runs.ConnectionSchedulerProtocol;
using static ResponsysCluster.Node.Api.RegistryAccess;

namespace ResponsysCluster.Node.Api;

/// <summary>
/// <c>/connections</c>: the connection registry (list, show, create or replace, remove, pause, resume, schedule) and
/// runs on demand. A connection's JSON is checked as a node's connection file is (secrets by reference only, no
/// unknown key) and answered back as it is kept.
/// </summary>
internal static class ConnectionRoutes
{
    public static void Map(RouteGroupBuilder api)
    {
        // Typed, since a lambda of HttpContext alone returning a Task would be taken as a RequestDelegate and its result dropped.
        api.MapGet("/connections", (Func<HttpContext, Task<IResult>>)(async context => Results.Json((await ConnectionsAsync(context)).Select(View))));
        api.MapGet("/connections/{id}", async (string id, HttpContext context) =>
            await FindAsync(context, id) is { } connection ? Results.Json(View(connection)) : Unknown(id));
        api.MapPut("/connections/{id}", SaveAsync);
        api.MapDelete("/connections/{id}", async (string id, HttpContext context) =>
            await CommandAsync(context, new RemoveConnection(id)) is { Refused: null } ? Results.NoContent() : Unknown(id));
        api.MapPost("/connections/{id}/pause", async (string id, HttpContext context) => Answer(await CommandAsync(context, new PauseConnection(id))));
        api.MapPost("/connections/{id}/resume", async (string id, HttpContext context) => Answer(await CommandAsync(context, new ResumeConnection(id))));
        api.MapPut("/connections/{id}/schedule", ScheduleAsync);
        api.MapPost("/connections/{id}/runs", StartRunAsync);
    }

    private static async Task<IResult> SaveAsync(string id, HttpContext context)
    {
        var (document, error) = await ReadObjectAsync(context);
        if (document is null) return ApiResults.BadRequest(error!);
        if (document["connection_id"] is { } given && given.GetValueKind() == JsonValueKind.String && given.GetValue<string>() != id)
            return ApiResults.BadRequest($"Config key 'connection_id': '{given.GetValue<string>()}' differs from the connection id in the path, '{id}'");
        document["connection_id"] = id;
        var existed = await FindAsync(context, id) is not null;
        return await SaveCheckedAsync(context, id, document, existed ? StatusCodes.Status200OK : StatusCodes.Status201Created);
    }

    /// <summary>Replaces the <c>schedule</c> key (the body, as the key takes it; <c>null</c> for runs on demand only).</summary>
    private static async Task<IResult> ScheduleAsync(string id, HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        JsonNode? schedule;
        try
        {
            schedule = JsonNode.Parse(await reader.ReadToEndAsync(context.RequestAborted));
        }
        catch (JsonException ex)
        {
            return ApiResults.BadRequest($"not valid JSON: {ex.Message}");
        }
        if (await FindAsync(context, id) is not { } connection) return Unknown(id);
        var document = JsonNode.Parse(connection.Json)!.AsObject();
        if (schedule is null) document.Remove("schedule");
        else document["schedule"] = schedule;
        return await SaveCheckedAsync(context, id, document, StatusCodes.Status200OK);
    }

    /// <summary>Saves <paramref name="document"/> once it reads as a registered connection; 400 naming the key otherwise.</summary>
    public static async Task<IResult> SaveCheckedAsync(HttpContext context, string id, JsonObject document, int status)
    {
        var json = document.ToJsonString();
        try
        {
            Check(json);
        }
        catch (ConfigException ex)
        {
            return ApiResults.BadRequest(ex.Message);
        }
        var answer = await CommandAsync(context, new SaveConnection(id, json));
        return Results.Json(View(answer.Connection!), statusCode: status);
    }

    private static async Task<IResult> StartRunAsync(string id, HttpContext context)
    {
        IReadOnlyList<string>? tables = null;
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            try
            {
                var request = await JsonSerializer.DeserializeAsync<RunRequest>(context.Request.Body, cancellationToken: context.RequestAborted);
                tables = request?.Tables;
            }
            catch (JsonException ex)
            {
                return ApiResults.BadRequest($"the body must be {{\"tables\": [\"TABLE\", …]}}: {ex.Message}");
            }
        }
        if (await FindAsync(context, id) is null) return Unknown(id);
        var schedulers = context.RequestServices.GetRequiredService<ActorRegistry>().Get<ConnectionSchedulerActor>();
        return await schedulers.Ask<object>(new ShardingEnvelope(id, new StartRun(tables)), AnswerLimit, context.RequestAborted) switch
        {
            RunStarted started => Results.Json(new { connection_id = id, run_id = started.RunId }, statusCode: StatusCodes.Status202Accepted),
            _ => ApiResults.Error(StatusCodes.Status409Conflict, $"a run of connection {id} is already going"),
        };
    }

    private sealed record RunRequest([property: System.Text.Json.Serialization.JsonPropertyName("tables")] IReadOnlyList<string>? Tables);

    private static IResult Answer(RegistryAnswer answer) => answer.Refused is null ? Results.Json(View(answer.Connection!)) : Unknown(answer.Id);

    private static object View(RegisteredConnection connection) =>
        new { id = connection.Id, paused = connection.Paused, revision = connection.Revision, config = JsonNode.Parse(connection.Json) };
}
