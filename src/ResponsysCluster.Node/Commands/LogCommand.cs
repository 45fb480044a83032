using Microsoft.Extensions.Logging;
using Npgsql;
using ResponsysCluster.Domain;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Node.Hosting;
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
            return ExitCodes.ConfigurationOrConnection;
        }
        IReadOnlyList<(string Step, string? Table, string? Path, string Message)> steps;
        try
        {
            var target = PostgresTarget.Parse(connectionString);
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            steps = [];
            await PostgresTarget.UseAsync(target, async () => steps = await RunRecords.LogOfAsync(dataSource, runId, cancellationToken));
        }
        catch (Exception ex) when (ex is ConfigException or DatabaseConnectException)
        {
            logger.LogCritical("{Message}", ex.Message);
            return ExitCodes.ConfigurationOrConnection;
        }
        if (steps.Count == 0)
        {
            logger.LogCritical("No run {RunId} in the extraction log", runId);
            return ExitCodes.Failure;
        }
        foreach (var (step, table, path, message) in steps)
            // Names come from the SFTP server: escaped, so that none forges a line or sends an escape sequence.
            await output.WriteLineAsync(PrintableText.Escape($"{step,-16} {table ?? "",-24} {path ?? ""} {message}".TrimEnd()));
        return ExitCodes.Success;
    }
}
