namespace ResponsysCluster.TestServers;

/// <summary>
/// A TCP proxy on 127.0.0.1 (a <see cref="TcpRelay"/>) in front of a real server that can stall: after
/// <see cref="Stall"/> it still accepts connections and keeps every one open, but passes no byte either way, as a
/// hung server or a network path that silently drops packets would. Disposing it ends the connections.
/// </summary>
public sealed class StallingProxy : IAsyncDisposable
{
    private readonly TaskCompletionSource stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TcpRelay relay;

    /// <summary>Starts listening at once; <paramref name="targetPort"/> is the real server's port on 127.0.0.1.</summary>
    public StallingProxy(int targetPort) => relay = new TcpRelay(targetPort, beforeChunk: HoldWhenStalledAsync);

    /// <summary>The port the proxy listens on.</summary>
    public int Port => relay.Port;

    /// <summary>From now on no byte passes, in either direction.</summary>
    public void Stall() => stalled.TrySetResult();

    /// <summary>Stops listening and ends every connection.</summary>
    public ValueTask DisposeAsync() => relay.DisposeAsync();

    // Stalled: hold on to the chunk and the connection, passing nothing, until the connection ends or the proxy stops.
    private ValueTask HoldWhenStalledAsync(int number, RelayDirection direction, int length, CancellationToken cancellationToken) =>
        stalled.Task.IsCompleted ? new ValueTask(Task.Delay(Timeout.Infinite, cancellationToken)) : ValueTask.CompletedTask;
}
