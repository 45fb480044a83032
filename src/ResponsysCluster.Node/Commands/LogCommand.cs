using Microsoft.Extensions.Logging;
using Npgsql;
using ResponsysCluster.Postgres;

namespace ResponsysCluster.Node.Commands;

/// <summary><c>responsys-cluster log --run ID</c>: prints a run's extraction log, step by step.</summary>
public sealed class LogCommand(ILoggerFactory loggerFactory)
{
    private readonly ILogger logger = loggerFactory.CreateLogger("log");

    public async Task<int> RunAsync(Guid runId, string? postgres, TextWriter output, CancellationToken cancellationToken)
    {
        var connectionString = postgres ?? Environment.GetEnvironmentVariable(EngineHost.PostgresVariable);
        if (connectionString is null)
        {
            logger.LogCritical("Give --postgres CONNECTION_STRING or set {Variable}", EngineHost.PostgresVariable);
            return TapCommand.Failure;
        }
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var steps = await RunRecords.LogOfAsync(dataSource, runId, cancellationToken);
        if (steps.Count == 0)
        {
            logger.LogCritical("No run {RunId} in the extraction log", runId);
            return TapCommand.Failure;
        }
        foreach (var (step, table, path, message) in steps)
            await output.WriteLineAsync($"{step,-16} {table ?? "",-24} {path ?? ""} {message}".TrimEnd());
        return TapCommand.Success;
    }
}
