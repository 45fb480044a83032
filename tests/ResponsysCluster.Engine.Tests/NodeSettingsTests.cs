using ResponsysCluster.Node.Hosting;

namespace ResponsysCluster.Engine.Tests;

public sealed class NodeSettingsTests
{
    private static readonly Dictionary<string, string?> NoVariables = [];

    private static NodeSettings Resolve(NodeFlags flags, Dictionary<string, string?>? variables = null) =>
        NodeSettings.Resolve(flags, name => (variables ?? NoVariables).GetValueOrDefault(name));

    [Fact]
    public void Should_listen_on_loopback_at_4053_and_8558_forming_a_cluster_of_its_own_without_flags_or_variables()
    {
        var node = Resolve(new NodeFlags());

        Assert.Equal(new NodeSettings("127.0.0.1", 4053, "127.0.0.1", [], "127.0.0.1:4053", new HostPort("127.0.0.1", 8558), Workers: 4),
            node with { Seeds = [] });
        Assert.Empty(node.Seeds);
    }

    [Fact]
    public void Should_take_each_setting_from_its_environment_variable_when_its_flag_is_not_given()
    {
        var node = Resolve(new NodeFlags(), new Dictionary<string, string?>
        {
            ["RSX_NODE_HOST"] = "0.0.0.0", ["RSX_NODE_PORT"] = "4100", ["RSX_PUBLIC_HOST"] = "node-b",
            ["RSX_SEEDS"] = "node-a:4053, node-b:4100", ["RSX_NODE_NAME"] = "b", ["RSX_HTTP"] = "0.0.0.0:9000",
        });

        Assert.Equal(("0.0.0.0", 4100, "node-b", "b", new HostPort("0.0.0.0", 9000)), (node.Host, node.Port, node.PublicHost, node.Name, node.Http));
        Assert.Equal([new HostPort("node-a", 4053), new HostPort("node-b", 4100)], node.Seeds);
    }

    [Fact]
    public void Should_prefer_a_flag_to_its_environment_variable()
    {
        var node = Resolve(new NodeFlags(Host: "10.0.0.2", Port: "5000", PublicHost: "pub", Seeds: "s:1", Name: "flagged", Http: "10.0.0.2:81"),
            new Dictionary<string, string?>
            {
                ["RSX_NODE_HOST"] = "0.0.0.0", ["RSX_NODE_PORT"] = "4100", ["RSX_PUBLIC_HOST"] = "node-b",
                ["RSX_SEEDS"] = "node-a:4053", ["RSX_NODE_NAME"] = "b", ["RSX_HTTP"] = "0.0.0.0:9000",
            });

        Assert.Equal(new NodeSettings("10.0.0.2", 5000, "pub", node.Seeds, "flagged", new HostPort("10.0.0.2", 81)), node);
        Assert.Equal([new HostPort("s", 1)], node.Seeds);
    }

    [Fact]
    public void Should_take_the_number_of_file_workers_from_RSX_NODE_WORKERS()
    {
        Assert.Equal(12, Resolve(new NodeFlags(), new Dictionary<string, string?> { ["RSX_NODE_WORKERS"] = " 12 " }).Workers);
    }

    [Theory]
    [InlineData("RSX_NODE_WORKERS", "0")]
    [InlineData("RSX_NODE_WORKERS", "four")]
    [InlineData("RSX_NODE_WORKERS", "-2")]
    [InlineData("RSX_NODE_WORKERS", "1001")]
    public void Should_refuse_a_number_of_workers_that_is_not_from_1_to_1000_naming_its_variable(string variable, string value)
    {
        var error = Assert.Throws<NodeFlagException>(() => Resolve(new NodeFlags(), new Dictionary<string, string?> { [variable] = value }));

        Assert.Equal($"{variable}: '{value}' is not a number from 1 to 1000", error.Message);
    }

    [Fact]
    public void Should_take_the_database_budget_from_RSX_NODE_DB_CONNECTIONS_or_default_to_four()
    {
        Assert.Equal(9, Resolve(new NodeFlags(), new Dictionary<string, string?> { ["RSX_NODE_DB_CONNECTIONS"] = "9" }).DbConnections);
        Assert.Equal(4, Resolve(new NodeFlags()).DbConnections);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("0")]
    [InlineData("lots")]
    [InlineData("1001")]
    public void Should_refuse_a_database_budget_that_is_not_from_3_to_1000_since_the_run_locks_and_the_short_writes_keep_a_session_each_beside_the_loads(string value)
    {
        var error = Assert.Throws<NodeFlagException>(() =>
            Resolve(new NodeFlags(), new Dictionary<string, string?> { ["RSX_NODE_DB_CONNECTIONS"] = value }));

        Assert.Equal($"RSX_NODE_DB_CONNECTIONS: '{value}' is not a number from 3 to 1000", error.Message);
    }

    [Fact]
    public void Should_take_the_files_a_worker_batches_from_RSX_NODE_BATCH_FILES_or_default_to_fifty_and_refuse_zero()
    {
        Assert.Equal(1, Resolve(new NodeFlags(), new Dictionary<string, string?> { ["RSX_NODE_BATCH_FILES"] = "1" }).BatchFiles);
        Assert.Equal(50, Resolve(new NodeFlags()).BatchFiles);
        var error = Assert.Throws<NodeFlagException>(() => Resolve(new NodeFlags(), new Dictionary<string, string?> { ["RSX_NODE_BATCH_FILES"] = "0" }));
        Assert.Equal("RSX_NODE_BATCH_FILES: '0' is not a number from 1 to 1000", error.Message);
    }

    [Fact]
    public void Should_name_the_node_by_its_public_host_and_port_unless_named()
    {
        Assert.Equal("node-c:4200", Resolve(new NodeFlags(Host: "0.0.0.0", Port: "4200", PublicHost: "node-c")).Name);
        Assert.Equal("0.0.0.0:4200", Resolve(new NodeFlags(Host: "0.0.0.0", Port: "4200")).Name);
    }

    [Fact]
    public void Should_ignore_a_blank_flag_or_variable()
    {
        var node = Resolve(new NodeFlags(Host: " ", Seeds: ""), new Dictionary<string, string?> { ["RSX_NODE_PORT"] = "  " });

        Assert.Equal(("127.0.0.1", 4053), (node.Host, node.Port));
        Assert.Empty(node.Seeds);
    }

    [Fact]
    public void Should_accept_port_0_for_the_node_and_its_listener_to_take_any_free_port()
    {
        var node = Resolve(new NodeFlags(Port: "0", Http: "127.0.0.1:0"));

        Assert.Equal((0, 0), (node.Port, node.Http.Port));
    }

    [Theory]
    [InlineData("70000", "--port (RSX_NODE_PORT): port '70000' is not a number from 0 to 65535")]
    [InlineData("-1", "--port (RSX_NODE_PORT): port '-1' is not a number from 0 to 65535")]
    [InlineData("http", "--port (RSX_NODE_PORT): port 'http' is not a number from 0 to 65535")]
    public void Should_refuse_a_port_that_is_not_one_naming_the_flag_and_its_variable(string port, string message)
    {
        Assert.Equal(message, Assert.Throws<NodeFlagException>(() => Resolve(new NodeFlags(Port: port))).Message);
    }

    [Theory]
    [InlineData("node-a", "--seeds (RSX_SEEDS): 'node-a' is not host:port")]
    [InlineData("node-a:", "--seeds (RSX_SEEDS): 'node-a:' is not host:port")]
    [InlineData(":4053", "--seeds (RSX_SEEDS): ':4053' is not host:port")]
    [InlineData("node-a:0", "--seeds (RSX_SEEDS): port '0' is not a number from 1 to 65535")]
    [InlineData("node-a:4053,node-b", "--seeds (RSX_SEEDS): 'node-b' is not host:port")]
    public void Should_refuse_a_seed_that_is_not_host_and_port_naming_the_flag_and_its_variable(string seeds, string message)
    {
        Assert.Equal(message, Assert.Throws<NodeFlagException>(() => Resolve(new NodeFlags(Seeds: seeds))).Message);
    }

    [Fact]
    public void Should_refuse_an_http_listener_that_is_not_host_and_port_naming_its_variable_when_it_came_from_there()
    {
        var refused = Assert.Throws<NodeFlagException>(() => Resolve(new NodeFlags(), new Dictionary<string, string?> { ["RSX_HTTP"] = "8558" }));

        Assert.Equal("--http (RSX_HTTP): '8558' is not host:port", refused.Message);
    }
}
