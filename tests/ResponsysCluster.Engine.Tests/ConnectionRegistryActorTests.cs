using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.TestKit.Xunit2;
using ResponsysCluster.Domain.Registry;
using ResponsysCluster.Engine.Registry;
using static ResponsysCluster.Engine.Registry.ConnectionRegistryProtocol;

namespace ResponsysCluster.Engine.Tests;

/// <summary>The registry actor on the in-memory journal: answers after persisting, publishes each change, recovers after a stop.</summary>
public sealed class ConnectionRegistryActorTests() : TestKit(HoldingJournal.Config)
{
    private const string Json = """{"connection_id": "a", "host": "h", "username": "u", "path": "/p", "password_env": "PW"}""";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private async Task<RegistryAnswer> AskAsync(IActorRef registry, object command)
    {
        registry.Tell(command, TestActor);
        return await ExpectMsgAsync<RegistryAnswer>(Wait);
    }

    [Fact]
    public async Task Should_answer_a_save_with_the_connection_and_publish_it_on_the_registry_topic()
    {
        var mediator = CreateTestProbe();
        var registry = Sys.ActorOf(ConnectionRegistryActor.Props(mediator.Ref));

        var answer = await AskAsync(registry, new SaveConnection("a", Json));
        var published = await mediator.ExpectMsgAsync<Publish>(Wait);

        Assert.Equal(new RegistryAnswer("a", true, new RegisteredConnection("a", Json, false, 1)), answer);
        Assert.Equal(ConnectionDirectoryActor.Topic, published.Topic);
        Assert.Equal(new ConnectionUpdated("a", answer.Connection, 1), published.Message);
    }

    [Fact]
    public async Task Should_answer_unchanged_and_publish_nothing_when_nothing_changes()
    {
        var mediator = CreateTestProbe();
        var registry = Sys.ActorOf(ConnectionRegistryActor.Props(mediator.Ref));
        await AskAsync(registry, new SaveConnection("a", Json));
        await mediator.ExpectMsgAsync<Publish>(Wait);

        var again = await AskAsync(registry, new SaveConnection("a", Json));
        var resumed = await AskAsync(registry, new ResumeConnection("a"));

        Assert.False(again.Changed);
        Assert.False(resumed.Changed);
        Assert.Equal(1, resumed.Connection!.Revision);
        await mediator.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Should_refuse_a_command_for_a_connection_it_does_not_hold_naming_it()
    {
        var registry = Sys.ActorOf(ConnectionRegistryActor.Props(CreateTestProbe().Ref));

        var answer = await AskAsync(registry, new PauseConnection("nope"));

        Assert.Equal(new RegistryAnswer("nope", false, null, "connection nope is not registered"), answer);
    }

    [Fact]
    public async Task Should_recover_its_connections_pauses_and_removals_after_a_stop()
    {
        var registry = Sys.ActorOf(ConnectionRegistryActor.Props(CreateTestProbe().Ref));
        await AskAsync(registry, new SaveConnection("a", Json));
        await AskAsync(registry, new SaveConnection("b", Json));
        await AskAsync(registry, new SaveConnection("c", Json));
        await AskAsync(registry, new PauseConnection("a"));
        var removed = await AskAsync(registry, new RemoveConnection("b"));
        Watch(registry);
        Sys.Stop(registry);
        await ExpectTerminatedAsync(registry);

        var recovered = Sys.ActorOf(ConnectionRegistryActor.Props(CreateTestProbe().Ref));
        recovered.Tell(GetConnections.Instance, TestActor);
        var contents = await ExpectMsgAsync<RegistryContents>(Wait);

        Assert.Null(removed.Connection);
        Assert.Equal(5, contents.Revision);
        Assert.Equal([new RegisteredConnection("a", Json, true, 4), new RegisteredConnection("c", Json, false, 3)], contents.Connections);
    }
}
