using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Registry;
using ResponsysCluster.Engine.Registry;
using static ResponsysCluster.Engine.Registry.ConnectionRegistryProtocol;

namespace ResponsysCluster.Node.Api;

/// <summary>The routes' way to the connection registry, and to a connection's JSON checked as a node's connection file is.</summary>
internal static class RegistryAccess
{
    public static readonly TimeSpan AnswerLimit = TimeSpan.FromSeconds(30);

    private static string HomeDirectory => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    public static async Task<IReadOnlyList<RegisteredConnection>> ConnectionsAsync(HttpContext context) =>
        (await Registry(context).Ask<RegistryContents>(GetConnections.Instance, AnswerLimit, context.RequestAborted)).Connections;

    public static async Task<RegisteredConnection?> FindAsync(HttpContext context, string id) =>
        (await ConnectionsAsync(context)).FirstOrDefault(c => c.Id == id);

    public static Task<RegistryAnswer> CommandAsync(HttpContext context, object command) =>
        Registry(context).Ask<RegistryAnswer>(command, AnswerLimit, context.RequestAborted);

    /// <summary>
    /// Checks <paramref name="json"/> as the registry takes a connection (secrets by reference only) and refuses a key
    /// the parser does not know, since a key misspelt through the API would otherwise be kept and silently ignored.
    /// </summary>
    public static ParsedConnectionConfig Check(string json)
    {
        var parsed = RegistryDocument.Parse(json, HomeDirectory);
        if (parsed.IgnoredKeys.Count > 0) throw new ConfigException(parsed.IgnoredKeys[0], "is not a connection setting");
        return parsed;
    }

    /// <summary>A registered connection's settings as this node reads them (its environment variables, its key files).</summary>
    public static ConnectionConfig ConfigOf(RegisteredConnection connection) => RegistryDocument.Parse(connection.Json, HomeDirectory).Config;

    /// <summary>The request's body as a JSON object, or the reason it is not one.</summary>
    public static async Task<(JsonObject? Body, string? Error)> ReadObjectAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        try
        {
            return (JsonNode.Parse(text) as JsonObject ?? throw new JsonException("the body must be a JSON object"), null);
        }
        catch (JsonException ex)
        {
            return (null, $"not valid JSON: {ex.Message}");
        }
    }

    public static IResult Unknown(string id) => ApiResults.NotFound($"connection {id} is not registered");

    private static IActorRef Registry(HttpContext context) => context.RequestServices.GetRequiredService<ActorRegistry>().Get<ConnectionRegistryActor>();
}
