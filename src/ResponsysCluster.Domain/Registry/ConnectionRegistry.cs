using System.Collections.Immutable;

namespace ResponsysCluster.Domain.Registry;

/// <summary>What changed in the registry: each kind is one journal event.</summary>
public enum RegistryChange
{
    Saved,
    Paused,
    Resumed,
    Removed,
}

/// <summary>One change of one connection, as decided and as replayed.</summary>
public sealed record RegistryEvent(RegistryChange Change, string Id, string? Json = null);

/// <summary>
/// The registered connections, immutable: decisions say which event a command makes (none when it changes
/// nothing, so that a node applying the same files at every start writes nothing), <see cref="Apply"/> replays one.
/// </summary>
public sealed record ConnectionRegistry(ImmutableSortedDictionary<string, RegisteredConnection> Connections, long Revision)
{
    public static ConnectionRegistry Empty { get; } = new(ImmutableSortedDictionary.Create<string, RegisteredConnection>(StringComparer.Ordinal), 0);

    public RegisteredConnection? Find(string id) => Connections.GetValueOrDefault(id);

    /// <summary>Adds or replaces; null when the connection already has this JSON.</summary>
    public RegistryEvent? Save(string id, string json) =>
        Find(id)?.Json == json ? null : new RegistryEvent(RegistryChange.Saved, id, json);

    /// <summary>Pauses the connection's schedule; null when already paused.</summary>
    public RegistryEvent? Pause(string id) => Known(id).Paused ? null : new RegistryEvent(RegistryChange.Paused, id);

    /// <summary>Resumes the connection's schedule; null when it was not paused.</summary>
    public RegistryEvent? Resume(string id) => Known(id).Paused ? new RegistryEvent(RegistryChange.Resumed, id) : null;

    public RegistryEvent Remove(string id) => new(RegistryChange.Removed, Known(id).Id);

    public ConnectionRegistry Apply(RegistryEvent change)
    {
        var revision = Revision + 1;
        var known = Find(change.Id);
        return change.Change switch
        {
            RegistryChange.Saved => With(new RegisteredConnection(change.Id, change.Json!, known?.Paused ?? false, revision)),
            RegistryChange.Paused when known is not null => With(known with { Paused = true, Revision = revision }),
            RegistryChange.Resumed when known is not null => With(known with { Paused = false, Revision = revision }),
            RegistryChange.Removed => new ConnectionRegistry(Connections.Remove(change.Id), revision),
            // A pause or resume of a connection removed since is replayed as a revision that changed nothing.
            _ => this with { Revision = revision },
        };

        ConnectionRegistry With(RegisteredConnection entry) => new(Connections.SetItem(entry.Id, entry), revision);
    }

    private RegisteredConnection Known(string id) => Find(id) ?? throw new UnknownConnectionException(id);
}

/// <summary>A command named a connection the registry does not hold.</summary>
public sealed class UnknownConnectionException(string id) : Exception($"connection {id} is not registered")
{
    public string Id { get; } = id;
}
