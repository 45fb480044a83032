using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Sftp;
using static ResponsysCluster.Node.Api.RegistryAccess;

namespace ResponsysCluster.Node.Api;

/// <summary>
/// <c>POST /connections/{id}/test</c> and <c>POST /connections/test</c> (a connection's JSON in the body, nothing
/// saved): reach the server, log in, list the directory, from this node. A failed test is still a 200 answer, with
/// <c>ok: false</c> and the error; a body that is no connection is a 400.
/// </summary>
internal static class ConnectionTestRoutes
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/connections/test", (Func<HttpContext, Task<IResult>>)(async context =>
        {
            var (document, error) = await ReadObjectAsync(context);
            if (document is null) return ApiResults.BadRequest(error!);
            ConnectionConfig config;
            try
            {
                config = Check(document.ToJsonString()).Config;
            }
            catch (ConfigException ex)
            {
                return ApiResults.BadRequest(ex.Message);
            }
            return await ProbeAsync(context, config);
        }));
        api.MapPost("/connections/{id}/test", async (string id, HttpContext context) =>
        {
            if (await FindAsync(context, id) is not { } connection) return Unknown(id);
            ConnectionConfig config;
            try
            {
                config = ConfigOf(connection);
            }
            catch (ConfigException ex)
            {
                // Settings this node cannot read (an unset variable, a missing key file) fail the test, saying so.
                return Results.Json(new { ok = false, connection_id = id, error = ex.Message });
            }
            return await ProbeAsync(context, config);
        });
    }

    private static async Task<IResult> ProbeAsync(HttpContext context, ConnectionConfig config)
    {
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("api");
        var result = await SftpConnectionProbe.ProbeAsync(config, logger, context.RequestAborted);
        return Results.Json(new
        {
            ok = result.Ok,
            connection_id = config.ConnectionId,
            host_key_fingerprint = result.HostKeyFingerprint,
            files = result.Files,
            tables = result.Tables,
            tables_without_ready_files = result.TablesWithoutReadyFiles,
            error = result.Error,
        });
    }
}
