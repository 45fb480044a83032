using Akka.Actor;
using Microsoft.Extensions.Logging;
using static ResponsysCluster.Engine.Registry.ConnectionRegistryProtocol;

namespace ResponsysCluster.Node.Hosting;

/// <summary>A node's connection files, added to the registry (or updated there) by connection id once the cluster answers.</summary>
public static class RegistryFiles
{
    private static readonly TimeSpan AnswerLimit = TimeSpan.FromSeconds(30);

    /// <summary>Saves each file in turn, asking again until the registry answers (it has none until the cluster is up) or <paramref name="stop"/>.</summary>
    public static async Task ApplyAsync(IActorRef registry, IReadOnlyList<ConnectionFile> files, ILogger logger, CancellationToken stop)
    {
        foreach (var file in files)
        {
            var id = file.Config.ConnectionId;
            while (true)
            {
                try
                {
                    var answer = await registry.Ask<RegistryAnswer>(new SaveConnection(id, file.Json), AnswerLimit, stop).ConfigureAwait(false);
                    logger.LogInformation("Connection {Connection} from {File}: {Outcome}", id, file.Path,
                        answer.Changed ? "saved in the registry" : "already in the registry as it is");
                    break;
                }
                catch (AskTimeoutException)
                {
                    logger.LogWarning("The connection registry did not answer within {Seconds} s (is the cluster up?); asking again", AnswerLimit.TotalSeconds);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
