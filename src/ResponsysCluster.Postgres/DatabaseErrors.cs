using Npgsql;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Ports;

namespace ResponsysCluster.Postgres;

/// <summary>Turns Npgsql's exceptions into the domain's: the engine never sees a driver type.</summary>
internal static class DatabaseErrors
{
    public static async Task TranslateAsync(Func<Task> work)
    {
        try
        {
            await work().ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            throw Unavailable(ex);
        }
    }

    public static async Task<T> TranslateAsync<T>(Func<Task<T>> work, string? filePath = null)
    {
        try
        {
            return await work().ConfigureAwait(false);
        }
        // Class 22 (data exception): PostgreSQL refused a value of the file; the file fails, not the database.
        catch (PostgresException ex) when (filePath is not null && ex.SqlState.StartsWith("22", StringComparison.Ordinal))
        {
            throw new ExportFileException(filePath, $"PostgreSQL refused a value: {ex.MessageText}", inner: ex);
        }
        catch (NpgsqlException ex)
        {
            throw Unavailable(ex);
        }
    }

    private static DatabaseUnavailableException Unavailable(NpgsqlException ex) => new($"PostgreSQL: {ex.Message}", ex);
}
