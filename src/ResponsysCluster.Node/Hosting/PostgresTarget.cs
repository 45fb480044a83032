using System.Net.Sockets;
using Npgsql;
using ResponsysCluster.Domain.Configuration;

namespace ResponsysCluster.Node.Hosting;

/// <summary>PostgreSQL could not be reached or used at start: the message names the server, the database and why.</summary>
public sealed class DatabaseConnectException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// The PostgreSQL connection string a command was given, checked before use, and the one-line words for a server
/// that cannot be reached: host, port, database and user, never the password.
/// </summary>
public static class PostgresTarget
{
    /// <summary>Parses the connection string; a malformed one is a <see cref="ConfigException"/> on <c>--postgres</c>.</summary>
    public static NpgsqlConnectionStringBuilder Parse(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrWhiteSpace(builder.Host)) throw new ConfigException("--postgres", "the connection string names no Host");
            return builder;
        }
        // Npgsql's words repeat a value it could not read: ours name the keyword only, since the value may be a secret.
        catch (ArgumentException ex) when (ex.ParamName is { } keyword)
        {
            throw new ConfigException("--postgres", ex.InnerException is KeyNotFoundException
                ? $"the connection string has an unknown keyword '{keyword}'"
                : $"the connection string's value of '{keyword}' is not valid");
        }
        catch (ArgumentException)
        {
            throw new ConfigException("--postgres", "the connection string is not valid: give KEY=VALUE pairs separated by ';' (Host=…;Port=…;Username=…;Password=…;Database=…)");
        }
    }

    /// <summary>Runs <paramref name="work"/> (the first use of the database) and words any failure to connect as one line.</summary>
    public static async Task UseAsync(NpgsqlConnectionStringBuilder target, Func<Task> work)
    {
        try
        {
            await work().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
        {
            throw new DatabaseConnectException(Describe(target, ex), ex);
        }
    }

    /// <summary>"cannot use PostgreSQL at host:port, database d, user u: why".</summary>
    public static string Describe(NpgsqlConnectionStringBuilder target, Exception ex) =>
        $"cannot use PostgreSQL at {target.Host}:{target.Port}, database {target.Database ?? target.Username}, user {target.Username}: {Reason(ex)}";

    private static string Reason(Exception ex)
    {
        if (ex is PostgresException server) return $"{server.MessageText} ({server.SqlState})";
        // Npgsql's own message ("Failed to connect to …") repeats the address; the innermost says why.
        var inner = ex;
        while (inner.InnerException is not null) inner = inner.InnerException;
        return ex.Message.Contains(inner.Message, StringComparison.Ordinal) ? ex.Message : $"{ex.Message.TrimEnd('.')}: {inner.Message}";
    }
}
