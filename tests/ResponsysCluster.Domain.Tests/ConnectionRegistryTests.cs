using ResponsysCluster.Domain.Registry;

namespace ResponsysCluster.Domain.Tests;

public sealed class ConnectionRegistryTests
{
    private const string Json = """{"connection_id": "a", "host": "h", "username": "u", "path": "/p", "password_env": "PW"}""";

    private static ConnectionRegistry With(params RegistryEvent?[] changes) =>
        changes.Aggregate(ConnectionRegistry.Empty, (registry, change) => registry.Apply(change!));

    [Fact]
    public void Should_add_a_connection_unpaused_at_the_next_revision()
    {
        var registry = With(ConnectionRegistry.Empty.Save("a", Json));

        Assert.Equal(new RegisteredConnection("a", Json, Paused: false, Revision: 1), registry.Find("a"));
        Assert.Equal(1, registry.Revision);
    }

    [Fact]
    public void Should_make_no_event_when_the_same_json_is_saved_again_so_that_a_restarting_node_writes_nothing()
    {
        var registry = With(ConnectionRegistry.Empty.Save("a", Json));

        Assert.Null(registry.Save("a", Json));
        Assert.Equal(new RegistryEvent(RegistryChange.Saved, "a", Json + " "), registry.Save("a", Json + " "));
    }

    [Fact]
    public void Should_keep_a_pause_across_a_change_of_the_json()
    {
        var saved = With(ConnectionRegistry.Empty.Save("a", Json));
        var paused = saved.Apply(saved.Pause("a")!);
        var changed = paused.Apply(paused.Save("a", "{}")!);

        Assert.True(changed.Find("a")!.Paused);
        Assert.Equal("{}", changed.Find("a")!.Json);
        Assert.Equal(3, changed.Find("a")!.Revision);
    }

    [Fact]
    public void Should_pause_and_resume_once_each_and_make_no_event_for_a_repeat()
    {
        var saved = With(ConnectionRegistry.Empty.Save("a", Json));
        var paused = saved.Apply(saved.Pause("a")!);
        var resumed = paused.Apply(paused.Resume("a")!);

        Assert.Null(saved.Resume("a"));
        Assert.Null(paused.Pause("a"));
        Assert.True(paused.Find("a")!.Paused);
        Assert.False(resumed.Find("a")!.Paused);
        Assert.Equal(3, resumed.Revision);
    }

    [Fact]
    public void Should_forget_a_removed_connection_and_count_the_removal_as_a_revision()
    {
        var saved = With(ConnectionRegistry.Empty.Save("a", Json), ConnectionRegistry.Empty.Save("b", Json));
        var removed = saved.Apply(saved.Remove("a"));

        Assert.Null(removed.Find("a"));
        Assert.Equal(["b"], removed.Connections.Keys);
        Assert.Equal(3, removed.Revision);
    }

    [Theory]
    [InlineData("pause")]
    [InlineData("resume")]
    [InlineData("remove")]
    public void Should_refuse_to_change_a_connection_it_does_not_hold_naming_it(string command)
    {
        var registry = With(ConnectionRegistry.Empty.Save("a", Json));

        var refused = Assert.Throws<UnknownConnectionException>(() => command switch
        {
            "pause" => registry.Pause("b"),
            "resume" => registry.Resume("b"),
            _ => registry.Remove("b"),
        });

        Assert.Equal("b", refused.Id);
        Assert.Equal("connection b is not registered", refused.Message);
    }

    [Fact]
    public void Should_replay_a_pause_of_a_connection_removed_since_as_a_revision_that_changes_nothing()
    {
        var registry = With(ConnectionRegistry.Empty.Save("a", Json));

        var replayed = registry.Apply(new RegistryEvent(RegistryChange.Removed, "a")).Apply(new RegistryEvent(RegistryChange.Paused, "a"));

        Assert.Empty(replayed.Connections);
        Assert.Equal(3, replayed.Revision);
    }
}
