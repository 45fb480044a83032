using Akka.Actor;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Ports;

namespace ResponsysCluster.Engine.Runs;

/// <summary>Between a connection's scheduler and the run it started.</summary>
public static class ConnectionRunProtocol
{
    /// <summary>
    /// Everything one run needs: the connection, its ports, the bookmarks, and <paramref name="Workers"/>: where it
    /// announces work to the file workers that pull its jobs (the node's pool, or every node's).
    /// </summary>
    public sealed record RunStart(Guid RunId, ConnectionConfig Config, ConnectionPorts Ports, IActorRef Bookmarks, IActorRef Workers,
        IReadOnlyCollection<string>? Tables, RunLimits Limits) : INoSerializationVerificationNeeded;

    /// <summary>How long a run waits for bookmarks and workers, and how often a lost job is offered again.</summary>
    public sealed record RunLimits(TimeSpan BookmarkTimeout, TimeSpan JobTimeout, int MaxAttempts)
    {
        public static readonly RunLimits Default = new(TimeSpan.FromSeconds(30), TimeSpan.FromHours(6), 3);
    }

    /// <summary>Sent by the run to its parent when it is over (the report saved or not); the run then stops.</summary>
    public sealed record RunFinished(RunReport Report) : INoSerializationVerificationNeeded;
}
