using Microsoft.AspNetCore.Http;

namespace ResponsysCluster.Node.Api;

/// <summary>Every answer of the API is JSON; an error is <c>{"error": "…"}</c>.</summary>
internal static class ApiResults
{
    public static IResult Error(int status, string message) => Results.Json(new { error = message }, statusCode: status);

    public static IResult NotFound(string what) => Error(StatusCodes.Status404NotFound, what);

    public static IResult BadRequest(string why) => Error(StatusCodes.Status400BadRequest, why);
}
