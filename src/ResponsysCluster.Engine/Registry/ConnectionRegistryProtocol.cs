using ResponsysCluster.Domain.Registry;

namespace ResponsysCluster.Engine.Registry;

/// <summary>Messages to and from the cluster's connection registry.</summary>
public static class ConnectionRegistryProtocol
{
    /// <summary>Adds or replaces a connection; its JSON was checked by the node that sends it.</summary>
    public sealed record SaveConnection(string Id, string Json) : IEngineMessage;

    /// <summary>Stops the connection's schedule (a run going finishes; runs asked for still start).</summary>
    public sealed record PauseConnection(string Id) : IEngineMessage;

    public sealed record ResumeConnection(string Id) : IEngineMessage;

    /// <summary>Forgets the connection; its scheduler stops (and with it a run going). Its bookmarks, ledger and tables stay.</summary>
    public sealed record RemoveConnection(string Id) : IEngineMessage;

    /// <summary>
    /// The answer to a command: whether it changed anything, the connection as it is now (null once removed or
    /// when unknown), and why it was refused (an unknown id), if it was.
    /// </summary>
    public sealed record RegistryAnswer(string Id, bool Changed, RegisteredConnection? Connection, string? Refused = null) : IEngineMessage;

    /// <summary>Asks for every registered connection; answered with <see cref="RegistryContents"/>.</summary>
    public sealed record GetConnections : IEngineMessage
    {
        public static readonly GetConnections Instance = new();
    }

    public sealed record RegistryContents(IReadOnlyList<RegisteredConnection> Connections, long Revision) : IEngineMessage;

    /// <summary>Published to every node after each change: the connection as it is now, null once removed.</summary>
    public sealed record ConnectionUpdated(string Id, RegisteredConnection? Connection, long Revision) : IEngineMessage;

    /// <summary>Tells a connection's scheduler that its settings on this node changed (or are gone).</summary>
    public sealed record ConnectionChanged(string Id) : IEngineMessage;
}
