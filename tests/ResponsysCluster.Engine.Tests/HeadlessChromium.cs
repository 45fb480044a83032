using ResponsysCluster.TestServers;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// Debian's chromium, headless, as a child process per page: the DOM it rendered, or a screenshot. Each run has a
/// profile of its own (deleted after) and a time limit, past which its process tree is killed.
/// </summary>
internal static class HeadlessChromium
{
    public const string Executable = "/usr/bin/chromium";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>The DOM of <paramref name="url"/> once loaded, serialized as HTML.</summary>
    public static async Task<string> DumpDomAsync(string url) => (await RunAsync("--dump-dom", url)).StandardOutput;

    /// <summary>Writes a 1280×900 PNG of <paramref name="url"/> to <paramref name="path"/>.</summary>
    public static async Task ScreenshotAsync(string url, string path) => await RunAsync($"--screenshot={path}", "--window-size=1280,900", url);

    private static async Task<ProcessResult> RunAsync(params string[] arguments)
    {
        Assert.True(File.Exists(Executable), $"{Executable} is missing: deploy/local/install-prereqs.sh installs it");
        var profile = Directory.CreateTempSubdirectory("rsx-chromium-");
        try
        {
            var result = await ProcessRunner.RunAsync(Executable,
                ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", $"--user-data-dir={profile.FullName}", .. arguments],
                timeout: Limit);
            Assert.True(result.ExitCode == 0, $"chromium exited with {result.ExitCode}:\n{result.StandardError}");
            return result;
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }
}
