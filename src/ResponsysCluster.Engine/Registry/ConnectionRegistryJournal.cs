using ResponsysCluster.Domain.Registry;

namespace ResponsysCluster.Engine.Registry;

/// <summary>A registry event as the journal keeps it: the change by name, so that reordering the enum changes nothing written.</summary>
public sealed record ConnectionRegistryEvent(string Change, string Id, string? Json) : IEngineMessage
{
    public static ConnectionRegistryEvent From(RegistryEvent change) => new(change.Change.ToString(), change.Id, change.Json);

    public RegistryEvent ToDomain() => new(Enum.Parse<RegistryChange>(Change), Id, Json);
}

/// <summary>The whole registry at one revision.</summary>
public sealed record ConnectionRegistrySnapshot(IReadOnlyList<RegisteredConnection> Connections, long Revision) : IEngineMessage
{
    public static ConnectionRegistrySnapshot Of(ConnectionRegistry registry) => new([.. registry.Connections.Values], registry.Revision);

    public ConnectionRegistry ToRegistry() => ConnectionRegistry.Empty with
    {
        Connections = ConnectionRegistry.Empty.Connections.SetItems(Connections.Select(c => KeyValuePair.Create(c.Id, c))),
        Revision = Revision,
    };
}
