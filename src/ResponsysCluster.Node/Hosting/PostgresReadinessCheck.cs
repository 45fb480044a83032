using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace ResponsysCluster.Node.Hosting;

/// <summary>Ready only while PostgreSQL answers a query within a few seconds: a node that cannot load is not ready.</summary>
internal sealed class PostgresReadinessCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public const string Name = "postgres";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Limit);
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(deadline.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            // The exception's type and message only: the connection string (with its password) is never shown.
            return HealthCheckResult.Unhealthy($"PostgreSQL does not answer: {ex.GetType().Name}: {ex.Message}");
        }
    }
}
