namespace ResponsysCluster.Domain.Registry;

/// <summary>
/// A connection as the registry keeps it: its JSON (secrets only by reference: a key file's path, an environment
/// variable's name), whether its schedule is paused, and the registry revision that last changed it.
/// </summary>
public sealed record RegisteredConnection(string Id, string Json, bool Paused, long Revision);
