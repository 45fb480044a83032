using Npgsql;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// A database of its own for one cluster test: its registry, remembered entities and journal are the cluster's own,
/// so no connection of another test runs there. Dropped (with its sessions) when disposed.
/// </summary>
public sealed class ClusterDatabase : IAsyncDisposable
{
    private readonly string server;
    private readonly string name = "rsx_" + Guid.NewGuid().ToString("N")[..12];

    private ClusterDatabase(string server)
    {
        this.server = server;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    public string ConnectionString { get; }

    public static async Task<ClusterDatabase> CreateAsync(string server)
    {
        var database = new ClusterDatabase(server);
        await using var dataSource = NpgsqlDataSource.Create(server);
        await using var command = dataSource.CreateCommand($"CREATE DATABASE {database.name}");
        await command.ExecuteNonQueryAsync();
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var dataSource = NpgsqlDataSource.Create(server);
        await using var command = dataSource.CreateCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        await command.ExecuteNonQueryAsync();
    }
}
