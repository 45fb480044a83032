using System.Diagnostics;
using ResponsysCluster.Node.Hosting;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// The repository's <c>docker-compose.yml</c>: valid for Compose itself (<c>docker-compose config</c>), and a
/// cluster of three nodes that can find each other, each health-checked on its readiness and stopped with time
/// to leave the cluster.
/// </summary>
public sealed class ComposeFileTests
{
    private static readonly string[] Nodes = ["node-a", "node-b", "node-c"];

    private static string ComposePath
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
                if (File.Exists(Path.Combine(directory.FullName, "ResponsysCluster.sln"))) return Path.Combine(directory.FullName, "docker-compose.yml");
            throw new FileNotFoundException("no ResponsysCluster.sln above the test's directory");
        }
    }

    /// <summary>The services, with YAML anchors and merge keys applied as Compose applies them.</summary>
    private static Dictionary<string, Dictionary<object, object>> Services()
    {
        using var reader = new StringReader(File.ReadAllText(ComposePath));
        var compose = new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(new MergingParser(new Parser(reader)));
        return ((Dictionary<object, object>)compose["services"]).ToDictionary(s => (string)s.Key, s => (Dictionary<object, object>)s.Value);
    }

    private static Dictionary<string, string> EnvironmentOf(Dictionary<object, object> service) =>
        ((Dictionary<object, object>)service["environment"]).ToDictionary(e => (string)e.Key, e => (string)e.Value);

    [Fact(Timeout = 60_000)]
    public async Task Should_be_a_file_docker_compose_accepts()
    {
        var start = new ProcessStartInfo("docker-compose", ["-f", ComposePath, "config", "-q"])
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        start.Environment["RSX_PG_PASSWORD"] = "checked-only";
        using var compose = Process.Start(start) ?? throw new InvalidOperationException("docker-compose did not start (run deploy/local/install-prereqs.sh)");
        var errors = compose.StandardError.ReadToEndAsync();
        await compose.StandardOutput.ReadToEndAsync();
        await compose.WaitForExitAsync();

        Assert.True(compose.ExitCode == 0, $"docker-compose config: {await errors}");
    }

    [Fact]
    public void Should_run_three_nodes_named_by_their_service_that_share_seeds_and_connections()
    {
        var services = Services();
        Assert.Equal(Nodes, services.Keys.Where(k => k.StartsWith("node-", StringComparison.Ordinal)).Order());
        var environments = Nodes.ToDictionary(n => n, n => EnvironmentOf(services[n]));

        foreach (var (name, environment) in environments)
        {
            Assert.Equal((name, name), (environment[NodeSettings.NameVariable], environment[NodeSettings.PublicHostVariable]));
            Assert.Equal("/connections", environment[ConnectionFiles.DirectoryVariable]);
            Assert.Equal(["node"], ((List<object>)services[name]["command"]).Cast<string>());
        }
        // The same seeds everywhere, every one a node of this file at the cluster port, the first forming the cluster.
        var seeds = environments.Values.Select(e => e[NodeSettings.SeedsVariable]).Distinct().Single();
        Assert.Equal(Nodes.Select(n => $"{n}:{NodeSettings.DefaultPort}"), seeds.Split(','));
        // Every RSX_ variable given is one the node reads: a misspelt one would be ignored silently.
        string[] known = [NodeSettings.NameVariable, NodeSettings.PublicHostVariable, NodeSettings.SeedsVariable, NodeSettings.WorkersVariable,
            NodeSettings.DbConnectionsVariable,
            ConnectionFiles.DirectoryVariable, "RSX_POSTGRES"];
        Assert.All(environments.Values.SelectMany(e => e.Keys), key => Assert.Contains(key, known));
    }

    [Fact]
    public void Should_check_each_node_s_readiness_publish_its_endpoints_on_loopback_and_give_it_time_to_leave()
    {
        var services = Services();
        var published = new List<string>();
        foreach (var name in Nodes)
        {
            var service = services[name];
            var check = string.Join(" ", ((List<object>)((Dictionary<object, object>)service["healthcheck"])["test"]).Cast<string>());
            Assert.Contains("/dev/tcp/127.0.0.1/8558", check);
            Assert.Contains("GET /health/ready", check);
            var grace = (string)service["stop_grace_period"];
            Assert.True(int.Parse(grace.TrimEnd('s')) >= 15, $"{name} is stopped after {grace}, before it can leave the cluster");
            var ports = ((List<object>)service["ports"]).Cast<string>().ToList();
            Assert.All(ports, p => Assert.StartsWith("127.0.0.1:", p));
            published.AddRange(ports.Select(p => p.Split(':')[1]));
            var depends = (Dictionary<object, object>)((Dictionary<object, object>)service["depends_on"])["postgres"];
            Assert.Equal("service_healthy", depends["condition"]);
        }
        Assert.Equal(published.Count, published.Distinct().Count());
    }
}
