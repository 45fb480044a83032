using System.Globalization;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.TestServers;
using Xunit;

namespace ResponsysCluster.Sftp.Tests;

/// <summary>
/// A private sshd for the tests that read the SFTP server's own log: <c>deploy/local/sftp-server.sh</c> started
/// with <c>RSX_SFTP_LOG_LEVEL=DEBUG1</c>, so <c>sftp-server.log</c> shows each read request's offset and length
/// and each file's bytes read on close. Stopped again by its PID file (<c>sftp-server.sh stop</c>).
/// </summary>
public sealed class LoggingSftpServer : IAsyncLifetime
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "rsx-sftp-log-" + Guid.NewGuid().ToString("N")[..12]);
    private IReadOnlyDictionary<string, string> env = new Dictionary<string, string>();

    /// <summary>The SFTP subsystem's log.</summary>
    public string LogPath => Path.Combine(directory, "sftp-server.log");

    public ExportDirectory CreateExportDirectory() =>
        ExportDirectory.CreateNew(Path.Combine(env["RSX_SFTP_DATA_DIR"], Guid.NewGuid().ToString("N")));

    public ConnectionConfig ConfigFor(ExportDirectory exports) => new()
    {
        Host = env["RSX_SFTP_HOST"],
        Port = int.Parse(env["RSX_SFTP_PORT"], CultureInfo.InvariantCulture),
        Username = env["RSX_SFTP_USER"],
        Path = exports.Path,
        PrivateKeyFile = Path.Combine(env["RSX_SFTP_KEYS_DIR"], "ed25519"),
    };

    public async Task InitializeAsync()
    {
        var result = await ProcessRunner.RunAsync("bash", [Script, "start", directory], RepositoryRoot.FullPath,
            new Dictionary<string, string?> { ["RSX_SFTP_LOG_LEVEL"] = "DEBUG1" });
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"sftp-server.sh start failed ({result.ExitCode}):\n{result.StandardOutput}\n{result.StandardError}");
        env = EnvFile.Read(result.LastOutputLine);
    }

    public async Task DisposeAsync()
    {
        await ProcessRunner.RunCheckedAsync("bash", [Script, "stop", directory], RepositoryRoot.FullPath);
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Leftovers in the temp directory are harmless.
        }
    }

    private static string Script => RepositoryRoot.Combine("deploy", "local", "sftp-server.sh");
}
