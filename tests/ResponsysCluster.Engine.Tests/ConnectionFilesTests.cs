using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Node.Hosting;

namespace ResponsysCluster.Engine.Tests;

public sealed class ConnectionFilesTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("rsx-connections-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Write(string name, string connectionId, string host = "sftp.example.com")
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, $$"""{"connection_id": "{{connectionId}}", "host": "{{host}}", "username": "u", "path": "/exports", "password": "x"}""");
        return path;
    }

    private static async Task<IReadOnlyList<ConnectionConfig>> ReadAsync(string? config, string? connections) =>
        [.. (await ConnectionFiles.ReadAsync(config, connections, "/home/me", CancellationToken.None)).Select(f => f.Config)];

    [Fact]
    public async Task Should_read_every_json_file_of_the_directory_in_file_name_order_after_the_config_file()
    {
        var single = Path.Combine(Directory.CreateTempSubdirectory("rsx-config-").FullName, "one.json");
        File.WriteAllText(single, """{"connection_id": "first", "host": "h", "username": "u", "path": "/p", "password": "x"}""");
        Write("b.json", "bee");
        Write("a.json", "ay");
        File.WriteAllText(Path.Combine(directory, "notes.txt"), "not a connection");

        var read = await ReadAsync(single, directory);

        Assert.Equal(["first", "ay", "bee"], read.Select(c => c.ConnectionId));
    }

    [Fact]
    public async Task Should_name_the_file_and_the_key_of_a_connection_that_cannot_be_used()
    {
        Write("a.json", "ay");
        var bad = Write("b.json", "bee", host: "");

        var refused = await Assert.ThrowsAsync<ConfigException>(() => ReadAsync(null, directory));

        Assert.Equal("host", refused.Key);
        Assert.EndsWith($"(in {bad})", refused.Message);
        Assert.StartsWith("Config key 'host': ", refused.Message);
    }

    [Fact]
    public async Task Should_refuse_a_connection_id_that_two_files_give_naming_both()
    {
        var first = Write("a.json", "same");
        var second = Write("b.json", "same");

        var refused = await Assert.ThrowsAsync<ConfigException>(() => ReadAsync(null, directory));

        Assert.Equal($"Config key 'connection_id': 'same' is given by both {first} and {second}", refused.Message);
    }

    [Fact]
    public async Task Should_ask_for_a_config_or_a_directory_when_given_neither()
    {
        var refused = await Assert.ThrowsAsync<ConfigException>(() => ReadAsync(null, " "));

        Assert.Equal("Config key '--config': give --config FILE, or --connections DIR (or set RSX_CONNECTIONS)", refused.Message);
    }

    [Fact]
    public async Task Should_refuse_a_directory_that_is_missing_or_holds_no_connection()
    {
        var missing = Path.Combine(directory, "nowhere");
        var refusedMissing = await Assert.ThrowsAsync<ConfigException>(() => ReadAsync(null, missing));
        var refusedEmpty = await Assert.ThrowsAsync<ConfigException>(() => ReadAsync(null, directory));

        Assert.Equal($"Config key '--connections': the connections directory '{missing}' does not exist", refusedMissing.Message);
        Assert.Equal($"Config key '--connections': the connections directory '{directory}' holds no *.json file", refusedEmpty.Message);
    }

    [Fact]
    public async Task Should_refuse_an_inline_password_in_a_node_connection_file_naming_the_key_the_file_and_the_reference_to_give()
    {
        var inline = Write("a.json", "ay");

        var refused = await Assert.ThrowsAsync<ConfigException>(() =>
            ConnectionFiles.ReadAsync(null, directory, "/home/me", CancellationToken.None, registry: true));

        Assert.Equal("password", refused.Key);
        Assert.Contains("give password_env", refused.Message);
        Assert.EndsWith($"(in {inline})", refused.Message);
        Assert.DoesNotContain("\"x\"", refused.Message);
    }

    [Fact]
    public async Task Should_give_a_node_its_files_as_written_and_accept_none_since_the_registry_has_the_cluster_connections()
    {
        var json = """{"connection_id": "ay", "host": "h", "username": "u", "path": "/p", "private_key_file": "~/.ssh/id"}""";
        File.WriteAllText(Path.Combine(directory, "a.json"), json);
        var empty = Directory.CreateTempSubdirectory("rsx-connections-").FullName;

        var files = await ConnectionFiles.ReadAsync(null, directory, "/home/me", CancellationToken.None, registry: true);
        var none = await ConnectionFiles.ReadAsync(null, empty, "/home/me", CancellationToken.None, registry: true);
        Directory.Delete(empty);

        Assert.Equal(json, Assert.Single(files).Json);
        Assert.Equal("/home/me/.ssh/id", files[0].Config.PrivateKeyFile);
        Assert.Empty(none);
    }
}
