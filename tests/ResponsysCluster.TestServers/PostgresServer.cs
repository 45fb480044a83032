using Xunit;

namespace ResponsysCluster.TestServers;

/// <summary>
/// A real PostgreSQL 15 on 127.0.0.1 for integration tests (xunit fixture).
/// When <c>RSX_TEST_POSTGRES</c> holds a connection string (as <c>.ci/run</c> sets it), that server is used;
/// otherwise <c>deploy/local/postgres.sh start &lt;temp&gt; --test</c> starts one and <see cref="DisposeAsync"/>
/// stops it again. Test assemblies may run in parallel against the same server: give each test its own
/// database or schema.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    /// <summary>Environment variable with an Npgsql connection string of an existing server.</summary>
    public const string EnvironmentVariable = "RSX_TEST_POSTGRES";

    private string? _startedDirectory;

    /// <summary>Npgsql connection string: <c>Host=127.0.0.1;Port=…;Username=postgres;Password=…;Database=postgres</c>.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            ConnectionString = configured;
            return;
        }

        var directory = Path.Combine(Path.GetTempPath(), "rsx-pg-" + Guid.NewGuid().ToString("N")[..12]);
        var result = await ProcessRunner.RunCheckedAsync(
            "bash", [RepositoryRoot.Combine("deploy", "local", "postgres.sh"), "start", directory, "--test"],
            RepositoryRoot.FullPath).ConfigureAwait(false);
        _startedDirectory = directory;
        var envFile = result.LastOutputLine;
        ConnectionString = EnvFile.Read(envFile).Require("RSX_POSTGRES", envFile);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_startedDirectory is null)
        {
            return;
        }
        var directory = _startedDirectory;
        _startedDirectory = null;
        await ProcessRunner.RunCheckedAsync(
            "bash", [RepositoryRoot.Combine("deploy", "local", "postgres.sh"), "stop", directory],
            RepositoryRoot.FullPath).ConfigureAwait(false);
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Leftovers in the temp directory are harmless.
        }
    }
}
