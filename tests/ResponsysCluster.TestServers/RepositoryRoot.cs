namespace ResponsysCluster.TestServers;

/// <summary>The repository checkout the tests run from: the folder holding ResponsysCluster.sln.</summary>
public static class RepositoryRoot
{
    private const string SolutionFileName = "ResponsysCluster.sln";

    private static readonly Lazy<string> Root = new(Find);

    /// <summary>Absolute path of the repository root.</summary>
    public static string FullPath => Root.Value;

    /// <summary>A path inside the repository, e.g. <c>Combine("deploy", "local", "sftp-server.sh")</c>.</summary>
    public static string Combine(params string[] parts) => Path.Combine([FullPath, .. parts]);

    private static string Find()
    {
        // Test binaries live in tests/<project>/bin/<configuration>/<tfm>/; the working directory is a fallback.
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, SolutionFileName)))
                {
                    return directory.FullName;
                }
            }
        }
        throw new InvalidOperationException(
            $"No {SolutionFileName} found above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}.");
    }
}
