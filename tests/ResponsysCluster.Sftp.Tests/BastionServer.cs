using System.Globalization;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.TestServers;
using Xunit;

namespace ResponsysCluster.Sftp.Tests;

/// <summary>
/// A jump host for the tests: a second OpenSSH sshd on 127.0.0.1 (<c>deploy/local/bastion.sh</c>), with its own host
/// key and client keys, TCP forwarding allowed and a DEBUG1 log that shows each forwarded connection. Started and
/// stopped by this fixture (by its PID file), so CI needs nothing beyond the SFTP server it already runs.
/// </summary>
public sealed class BastionServer : IAsyncLifetime
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "rsx-bastion-" + Guid.NewGuid().ToString("N")[..12]);
    private IReadOnlyDictionary<string, string> env = new Dictionary<string, string>();

    public string Host => env["RSX_SFTP_HOST"];

    public int Port => int.Parse(env["RSX_SFTP_PORT"], CultureInfo.InvariantCulture);

    public string User => env["RSX_SFTP_USER"];

    public string HostKeyFingerprint => env["RSX_SFTP_HOST_KEY_FINGERPRINT"];

    /// <summary>The bastion's sshd log (LogLevel DEBUG1).</summary>
    public string LogPath => Path.Combine(directory, "sshd.log");

    /// <summary>The listening sshd; each session is a child process of it.</summary>
    public int Pid => int.Parse(env["RSX_SFTP_PID"], CultureInfo.InvariantCulture);

    /// <summary>The bastion's own client key: the SFTP server does not accept it, the bastion does.</summary>
    public string KeyPath => Path.Combine(env["RSX_SFTP_KEYS_DIR"], "ed25519");

    /// <summary>The <c>jump_host</c> of a connection through this bastion, logging in with its key.</summary>
    public JumpHostConfig JumpHost(string? fingerprint = null, int? port = null) => new()
    {
        Host = Host,
        Port = port ?? Port,
        Username = User,
        PrivateKeyFile = KeyPath,
        HostKeyFingerprint = fingerprint ?? HostKeyFingerprint,
    };

    /// <summary>The lines of the bastion's log that record a forwarded connection to 127.0.0.1:<paramref name="targetPort"/>.</summary>
    public IReadOnlyList<string> ForwardsTo(int targetPort) =>
        [.. ReadLog().Where(l => l.Contains("server_request_direct_tcpip", StringComparison.Ordinal) && l.EndsWith($"target 127.0.0.1 port {targetPort}", StringComparison.Ordinal))];

    /// <summary>
    /// Kills the bastion's sessions (the sshd processes it forked for its connections), as a bastion that crashes or
    /// is restarted would drop them; the listening sshd stays, for the next connection. Returns how many it killed.
    /// </summary>
    public int KillSessions()
    {
        var killed = 0;
        foreach (var pid in ChildrenOf(Pid))
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
                killed++;
            }
            catch (ArgumentException)
            {
                // Gone already.
            }
        }
        return killed;
    }

    public async Task InitializeAsync()
    {
        var result = await ProcessRunner.RunAsync("bash", [Script, "start", directory], RepositoryRoot.FullPath);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"bastion.sh start failed ({result.ExitCode}):\n{result.StandardOutput}\n{result.StandardError}");
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

    private IEnumerable<string> ReadLog()
    {
        using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line) yield return line;
    }

    private static List<int> ChildrenOf(int parent)
    {
        var children = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid)) continue;
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(entry, "stat"));
            }
            catch (IOException)
            {
                continue;
            }
            // "pid (comm) state ppid …": comm may hold spaces, so read after its closing parenthesis.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (int.Parse(fields[1], CultureInfo.InvariantCulture) == parent) children.Add(pid);
        }
        return children;
    }

    private static string Script => RepositoryRoot.Combine("deploy", "local", "bastion.sh");
}
