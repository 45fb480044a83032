using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Microsoft.Extensions.Logging.Abstractions;
using ResponsysCluster.Domain.Registry;
using ResponsysCluster.Engine.Cluster;
using ResponsysCluster.Engine.Registry;
using static ResponsysCluster.Engine.Registry.ConnectionRegistryProtocol;

namespace ResponsysCluster.Engine.Tests;

/// <summary>A node's copy of the registry: asks for it at start, follows changes, reads each JSON with this node's variables.</summary>
public sealed class ConnectionDirectoryActorTests : TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly TestProbe registry;
    private readonly TestProbe schedulers;
    private readonly ConnectionCatalog catalog = new();

    public ConnectionDirectoryActorTests()
    {
        registry = CreateTestProbe();
        schedulers = CreateTestProbe();
        Sys.ActorOf(ConnectionDirectoryActor.Props(registry.Ref, schedulers.Ref, catalog,
            json => RegistryDocument.Parse(json, "/home/me", name => name == "PW" ? "set here" : null), NullLogger.Instance));
    }

    private static RegisteredConnection Connection(string id, long revision, bool paused = false, string variable = "PW") =>
        new(id, $$"""{"connection_id": "{{id}}", "host": "h{{revision}}", "username": "u", "path": "/p", "password_env": "{{variable}}"}""", paused, revision);

    private async Task<IActorRef> StartedAsync()
    {
        await registry.ExpectMsgAsync<GetConnections>(Wait);
        return registry.LastSender;
    }

    private async Task ExpectToldAsync(string id)
    {
        var changed = await schedulers.ExpectMsgAsync<ShardingEnvelope>(Wait);
        Assert.Equal((id, new ConnectionChanged(id)), (changed.EntityId, changed.Message));
    }

    [Fact]
    public async Task Should_fill_the_catalog_from_the_registry_at_start_and_start_each_connection_scheduler()
    {
        var directory = await StartedAsync();

        directory.Tell(new RegistryContents([Connection("a", 1), Connection("b", 2, paused: true)], 2));
        await ExpectToldAsync("a");
        await ExpectToldAsync("b");

        Assert.Equal("h1", catalog.Find("a")!.Host);
        Assert.Equal("set here", catalog.Find("a")!.Password!.Reveal());
        Assert.True(catalog.Entry("b")!.Paused);
    }

    [Fact]
    public async Task Should_follow_a_change_and_a_removal_and_tell_the_connection_scheduler_of_each()
    {
        var directory = await StartedAsync();
        directory.Tell(new RegistryContents([Connection("a", 1)], 1));
        await ExpectToldAsync("a");

        directory.Tell(new ConnectionUpdated("a", Connection("a", 2), 2));
        await ExpectToldAsync("a");
        var changedHost = catalog.Find("a")!.Host;
        directory.Tell(new ConnectionUpdated("a", null, 3));
        var removed = await schedulers.ExpectMsgAsync<ShardingEnvelope>(Wait);

        Assert.Equal("h2", changedHost);
        Assert.Equal(new ConnectionChanged("a"), removed.Message);
        Assert.Null(catalog.Entry("a"));
    }

    [Fact]
    public async Task Should_ignore_an_answer_older_than_a_change_it_already_followed()
    {
        var directory = await StartedAsync();
        directory.Tell(new ConnectionUpdated("a", Connection("a", 5), 5));
        await ExpectToldAsync("a");

        directory.Tell(new RegistryContents([], 4));
        await Task.Delay(300);

        Assert.Equal("h5", catalog.Find("a")!.Host);
    }

    [Fact]
    public async Task Should_keep_out_of_the_catalog_a_connection_whose_secret_variable_this_node_does_not_set()
    {
        var directory = await StartedAsync();

        directory.Tell(new RegistryContents([Connection("a", 1, variable: "UNSET_HERE")], 1));
        await ExpectToldAsync("a");

        Assert.Null(catalog.Entry("a"));
    }
}
