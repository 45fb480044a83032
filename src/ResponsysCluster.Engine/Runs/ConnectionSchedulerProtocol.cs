using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Ports;

namespace ResponsysCluster.Engine.Runs;

/// <summary>Messages to a connection's scheduler.</summary>
public static class ConnectionSchedulerProtocol
{
    /// <summary>Replicates now (the named tables, or all); answered with a <see cref="RunReport"/> or <see cref="RunAlreadyRunning"/>.</summary>
    public sealed record RunNow(IReadOnlyList<string>? Tables) : IEngineMessage;

    /// <summary>Starts a run now (the named tables, or all) and answers at once with <see cref="RunStarted"/> or <see cref="RunAlreadyRunning"/>.</summary>
    public sealed record StartRun(IReadOnlyList<string>? Tables) : IEngineMessage;

    /// <summary>The run <see cref="StartRun"/> asked for has started.</summary>
    public sealed record RunStarted(string ConnectionId, Guid RunId) : IEngineMessage;

    /// <summary>A run of this connection is still going: a second one is not started.</summary>
    public sealed record RunAlreadyRunning(string ConnectionId) : IEngineMessage;
}

/// <summary>A connection's settings on this node: what its scheduler runs with.</summary>
public sealed record ConnectionSettings(ConnectionConfig Config, ConnectionPorts Ports, bool Paused);
