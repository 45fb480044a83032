using System.Text;

namespace ResponsysCluster.TestServers;

/// <summary>
/// Compressed exports made as Responsys's receivers would make them by hand: by Debian's own <c>gzip</c> and
/// <c>zip</c>, in a scratch directory that is deleted afterwards.
/// </summary>
public static class ExportArchives
{
    /// <summary><paramref name="content"/> gzipped by <c>gzip</c>.</summary>
    public static async Task<byte[]> GzipAsync(string content) =>
        await InScratchAsync(async dir =>
        {
            var file = Path.Combine(dir, "export.csv");
            await File.WriteAllTextAsync(file, content, new UTF8Encoding(false));
            await ProcessRunner.RunCheckedAsync("gzip", ["-n", file]);
            return await File.ReadAllBytesAsync(file + ".gz");
        });

    /// <summary>A zip archive holding <paramref name="entries"/> (name, CSV text), in that order, made by <c>zip</c>.</summary>
    public static async Task<byte[]> ZipAsync(params (string Name, string Content)[] entries) =>
        await InScratchAsync(async dir =>
        {
            foreach (var (name, content) in entries)
                await File.WriteAllTextAsync(Path.Combine(dir, name), content, new UTF8Encoding(false));
            await ProcessRunner.RunCheckedAsync("zip", ["-q", "-X", "archive.zip", .. entries.Select(e => e.Name)], workingDirectory: dir);
            return await File.ReadAllBytesAsync(Path.Combine(dir, "archive.zip"));
        });

    /// <summary>A zip archive of <paramref name="content"/> written by <c>zip</c> to a pipe, so its sizes follow the entry's data.</summary>
    public static async Task<byte[]> StreamedZipAsync(string content) =>
        await InScratchAsync(async dir =>
        {
            var file = Path.Combine(dir, "export.csv");
            await File.WriteAllTextAsync(file, content, new UTF8Encoding(false));
            await ProcessRunner.RunCheckedAsync("sh", ["-c", "zip -q - export.csv | cat > archive.zip"], workingDirectory: dir);
            return await File.ReadAllBytesAsync(Path.Combine(dir, "archive.zip"));
        });

    // gzip, zip and gpg come from deploy/local/install-prereqs.sh, run once per test process (quick when all is there).
    private static readonly Lazy<Task> Tools = new(() =>
        ProcessRunner.RunCheckedAsync("bash", [RepositoryRoot.Combine("deploy", "local", "install-prereqs.sh")], timeout: TimeSpan.FromMinutes(10)));

    /// <summary>Installs gzip, zip and gpg when they are missing.</summary>
    internal static Task EnsureToolsAsync() => Tools.Value;

    internal static async Task<T> InScratchAsync<T>(Func<string, Task<T>> work)
    {
        await EnsureToolsAsync();
        var dir = Directory.CreateTempSubdirectory("rsx-archive-").FullName;
        try
        {
            return await work(dir);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
