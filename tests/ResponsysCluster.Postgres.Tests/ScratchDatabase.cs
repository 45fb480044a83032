using Npgsql;

namespace ResponsysCluster.Postgres.Tests;

/// <summary>
/// A database of its own on the test server, dropped afterwards: for tests that need the control schema not to
/// exist yet, which the shared database (used by every test assembly at once) cannot promise.
/// </summary>
internal sealed class ScratchDatabase : IAsyncDisposable
{
    private readonly NpgsqlDataSource _admin;
    private readonly string _name;

    private ScratchDatabase(NpgsqlDataSource admin, string name, string connectionString)
    {
        _admin = admin;
        _name = name;
        ConnectionString = connectionString;
        DataSource = NpgsqlDataSource.Create(connectionString);
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>The database's connection string, for code that opens its own sessions (advisory locks are held per database).</summary>
    public string ConnectionString { get; }

    public static async Task<ScratchDatabase> CreateAsync(string serverConnectionString)
    {
        var name = "rsx_scratch_" + Guid.NewGuid().ToString("N")[..12];
        var admin = NpgsqlDataSource.Create(serverConnectionString);
        await using (var create = admin.CreateCommand($"CREATE DATABASE {name}"))
            await create.ExecuteNonQueryAsync();
        var builder = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name, Pooling = false };
        return new ScratchDatabase(admin, name, builder.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await using (var drop = _admin.CreateCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)"))
            await drop.ExecuteNonQueryAsync();
        await _admin.DisposeAsync();
    }
}
