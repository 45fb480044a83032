using Xunit;

namespace ResponsysCluster.TestServers;

/// <summary>
/// A real OpenSSH sshd on 127.0.0.1 for integration tests (xunit fixture).
/// When <c>RSX_TEST_SFTP_ENV</c> names an existing <c>sftp.env</c> (as <c>.ci/run</c> sets it), that server is used;
/// otherwise <c>deploy/local/sftp-server.sh</c> starts one in a temporary directory and <see cref="DisposeAsync"/>
/// stops it again. Share one instance per test assembly with a collection fixture (see <see cref="SftpServerCollection"/>).
/// </summary>
public sealed class SftpServer : IAsyncLifetime
{
    /// <summary>Environment variable with the path of an <c>sftp.env</c> written by <c>sftp-server.sh start</c>.</summary>
    public const string EnvironmentVariable = "RSX_TEST_SFTP_ENV";

    private static int _exportDirectoryCount;

    private string? _startedDirectory;
    private string _keysDirectory = "";

    /// <summary>Always 127.0.0.1.</summary>
    public string Host { get; private set; } = "";

    /// <summary>The TCP port sshd listens on.</summary>
    public int Port { get; private set; }

    /// <summary>The login user (rsxsftp).</summary>
    public string User { get; private set; } = "";

    /// <summary>The user's password (read from the root-only password file).</summary>
    public string Password { get; private set; } = "";

    /// <summary>The passphrase of the <c>rsa_passphrase</c> and <c>ed25519_passphrase</c> keys.</summary>
    public string Passphrase { get; private set; } = "";

    /// <summary>The server's only host key (ed25519) as <c>ssh-keygen -lf</c> prints it: <c>SHA256:</c> and base64.</summary>
    public string HostKeyFingerprint { get; private set; } = "";

    /// <summary>Absolute path under which tests create export directories; remote paths equal local ones.</summary>
    public string DataRoot { get; private set; } = "";

    /// <summary>Path of the env file this fixture read.</summary>
    public string EnvFilePath { get; private set; } = "";

    /// <summary>
    /// Path of a client private key: <c>rsa_pem</c>, <c>rsa_openssh</c>, <c>ed25519</c>, <c>ecdsa</c> (authorized),
    /// <c>rsa_passphrase</c>, <c>ed25519_passphrase</c> (authorized, protected by <see cref="Passphrase"/>),
    /// <c>unauthorized</c> (a valid key the server refuses).
    /// </summary>
    public string KeyPath(string name)
    {
        var path = Path.Combine(_keysDirectory, name);
        return File.Exists(path)
            ? path
            : throw new ArgumentException($"No key named '{name}' in {_keysDirectory}.", nameof(name));
    }

    /// <summary>
    /// Creates a new, empty directory (0755) under <see cref="DataRoot"/> for one test. Every test process of
    /// every worktree may share one server and so one <see cref="DataRoot"/>: the name carries a whole GUID (the
    /// counter only keeps them in creation order for a reader), and an existing directory is never handed out.
    /// </summary>
    public ExportDirectory CreateExportDirectory()
    {
        var number = Interlocked.Increment(ref _exportDirectoryCount);
        return ExportDirectory.CreateNew(Path.Combine(DataRoot, $"t{number:D4}-{Guid.NewGuid():N}"));
    }

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var envFile = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(envFile) || !File.Exists(envFile))
        {
            var directory = Path.Combine(Path.GetTempPath(), "rsx-sftp-" + Guid.NewGuid().ToString("N")[..12]);
            var result = await ProcessRunner.RunCheckedAsync(
                "bash", [RepositoryRoot.Combine("deploy", "local", "sftp-server.sh"), "start", directory],
                RepositoryRoot.FullPath).ConfigureAwait(false);
            _startedDirectory = directory;
            envFile = result.LastOutputLine;
        }
        Load(envFile);
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
            "bash", [RepositoryRoot.Combine("deploy", "local", "sftp-server.sh"), "stop", directory],
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

    /// <inheritdoc />
    public override string ToString() => $"sftp://{User}@{Host}:{Port}{DataRoot}";

    private void Load(string envFile)
    {
        var values = EnvFile.Read(envFile);
        EnvFilePath = envFile;
        Host = values.Require("RSX_SFTP_HOST", envFile);
        Port = int.Parse(values.Require("RSX_SFTP_PORT", envFile), System.Globalization.CultureInfo.InvariantCulture);
        User = values.Require("RSX_SFTP_USER", envFile);
        Password = File.ReadAllText(values.Require("RSX_SFTP_PASSWORD_FILE", envFile)).Trim();
        _keysDirectory = values.Require("RSX_SFTP_KEYS_DIR", envFile);
        Passphrase = File.ReadAllText(Path.Combine(_keysDirectory, "passphrase")).Trim();
        HostKeyFingerprint = values.Require("RSX_SFTP_HOST_KEY_FINGERPRINT", envFile);
        DataRoot = values.Require("RSX_SFTP_DATA_DIR", envFile);
    }
}
