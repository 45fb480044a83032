using System.Text.Json.Nodes;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Singer.Tests;

/// <summary>The built <c>responsys-cluster</c> executable, run as a Singer runner runs it.</summary>
[Collection(SftpCollection.Name)]
public sealed class ExecutableTests(SftpServer server)
{
    private static readonly string Executable = Path.Combine(AppContext.BaseDirectory, "responsys-cluster.dll");

    /// <summary>
    /// Runs the executable, reading its stdout and stderr as it writes them (no pipe fills up); past the limit it is
    /// killed, well within the test's own time-out, so no child outlives a failed test.
    /// </summary>
    private static Task<ProcessResult> RunAsync(params string[] arguments) =>
        ProcessRunner.RunAsync("dotnet", [Executable, .. arguments], timeout: TimeSpan.FromSeconds(90));

    private static string WriteTemp(string name, string content)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("rsx-exe-").FullName, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact(Timeout = Timeouts.Executable)]
    public async Task Should_exit_non_zero_and_name_the_missing_key()
    {
        var config = WriteTemp("config.json", """{"host": "127.0.0.1", "path": "/x", "password": "p"}""");
        var result = await RunAsync("tap", "--config", config, "--discover");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("'username'", result.StandardError);
        Assert.Equal("", result.StandardOutput);
    }

    [Fact(Timeout = Timeouts.Executable)]
    public async Task Should_never_show_the_password_when_login_fails()
    {
        var config = WriteTemp("config.json", new JsonObject
        {
            ["host"] = server.Host, ["port"] = server.Port, ["username"] = server.User, ["path"] = "/tmp",
            ["password"] = "Sup3r-Secret-Value",
        }.ToJsonString());
        var result = await RunAsync("tap", "--config", config, "--discover");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Message from SFTP server: Authentication failed.", result.StandardError);
        Assert.DoesNotContain("Sup3r-Secret-Value", result.StandardError + result.StandardOutput);
    }

    [Fact(Timeout = Timeouts.Executable)]
    public async Task Should_write_only_singer_messages_to_stdout_and_logs_to_stderr()
    {
        var exports = server.CreateExportDirectory();
        exports.Write("20180911_LIST.csv", "ID,EMAIL\n1,a@example.com\n2,b@example.com\n");
        exports.WriteReady("20180911_LIST.csv", "2");
        var config = WriteTemp("config.json", new JsonObject
        {
            ["host"] = server.Host, ["port"] = server.Port.ToString(), ["username"] = server.User, ["path"] = exports.Path,
            ["private_key_file"] = server.KeyPath("rsa_openssh"), ["start_date"] = "2000-01-01T00:00:00Z",
        }.ToJsonString());

        var discovery = await RunAsync("tap", "--config", config, "--discover");
        Assert.True(discovery.ExitCode == 0, discovery.StandardError);
        Assert.Contains("Found 2 files", discovery.StandardError);
        var catalog = JsonNode.Parse(discovery.StandardOutput)!.AsObject();
        catalog["streams"]![0]!["metadata"]!.AsArray().OfType<JsonObject>()
            .Single(m => m["breadcrumb"]!.AsArray().Count == 0)["metadata"]!["selected"] = true;
        var catalogPath = WriteTemp("catalog.json", catalog.ToJsonString());

        // --properties is the older name of --catalog.
        var sync = await RunAsync("tap", "--config", config, "--properties", catalogPath);
        Assert.True(sync.ExitCode == 0, sync.StandardError);
        var types = sync.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonNode.Parse(line)!["type"]!.GetValue<string>()).ToList();
        Assert.Equal(["STATE", "SCHEMA", "RECORD", "RECORD", "STATE"], types);
        Assert.Contains("Syncing file", sync.StandardError);
    }
}
