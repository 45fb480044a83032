using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Node.Hosting;

namespace ResponsysCluster.Node.Api;

/// <summary>
/// The management API under <c>/api/v1</c> on the node's <c>--http</c> listener. With <c>RSX_API_TOKEN</c> set,
/// every request needs <c>Authorization: Bearer &lt;token&gt;</c>; without it the API is served only when the
/// listener is a loopback address (and then open), so that it is never reachable from elsewhere unguarded.
/// </summary>
internal static class ManagementApi
{
    public const string Prefix = "/api/v1";
    public const string DocumentName = "v1";

    public static void Map(WebApplication app, NodeSettings node)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("api");
        if (node.ApiToken is null && !IsLoopback(node.Http.Host))
        {
            logger.LogWarning("The management API is not served: the listener {Http} is not loopback and {Variable} is not set",
                node.Http, NodeSettings.ApiTokenVariable);
            return;
        }
        app.UseWhen(context => context.Request.Path.StartsWithSegments(Prefix), api =>
        {
            if (node.ApiToken is { } token) api.Use(RequireToken(token));
            api.Use(AnswerFailuresAsJson(logger));
        });
        var routes = app.MapGroup(Prefix);
        ClusterRoutes.Map(routes);
        ConnectionRoutes.Map(routes);
        ConnectionTestRoutes.Map(routes);
        TableRoutes.Map(routes);
        RunRoutes.Map(routes);
        StatusPage.Map(app);
        app.MapOpenApi(Prefix + "/openapi/{documentName}.json");
        MetricsRoutes.Map(routes, app.Services);
        app.MapFallback(Prefix + "/{**rest}", (HttpContext context) => ApiResults.NotFound($"no route {context.Request.Method} {context.Request.Path}"));
    }

    /// <summary>The OpenAPI document's title, its server prefix and its bearer scheme.</summary>
    public static void DescribeDocument(OpenApiOptions options) => options.AddDocumentTransformer((document, _, _) =>
    {
        document.Info = new OpenApiInfo { Title = "ResponsysCluster management API", Version = DocumentName };
        return Task.CompletedTask;
    });

    /// <summary>What goes wrong while answering is still an answer in JSON: the cluster not answering in time, or a fault.</summary>
    private static Func<HttpContext, RequestDelegate, Task> AnswerFailuresAsJson(ILogger logger) => async (context, next) =>
    {
        try
        {
            await next(context);
        }
        catch (Akka.Actor.AskTimeoutException) when (!context.Response.HasStarted)
        {
            await ApiResults.Error(StatusCodes.Status503ServiceUnavailable, "the cluster did not answer in time; is it up?").ExecuteAsync(context);
        }
        catch (Exception ex) when (!context.Response.HasStarted && ex is not OperationCanceledException)
        {
            logger.LogError(ex, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
            await ApiResults.Error(StatusCodes.Status500InternalServerError, "the request failed; see the node's log").ExecuteAsync(context);
        }
    };

    private static Func<HttpContext, RequestDelegate, Task> RequireToken(Secret token) => async (context, next) =>
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.Ordinal) &&
            System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()), System.Text.Encoding.UTF8.GetBytes(token.Reveal())))
        {
            await next(context);
            return;
        }
        await ApiResults.Error(StatusCodes.Status401Unauthorized, "unauthorized").ExecuteAsync(context);
    };

    private static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
}
