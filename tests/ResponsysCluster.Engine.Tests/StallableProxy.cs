using System.Net;
using System.Net.Sockets;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of a real server that can be made to stall: after <see cref="Stall"/> it keeps
/// every connection open and accepts new ones, but passes no byte either way, as a hung server or network would.
/// </summary>
internal sealed class StallableProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly int targetPort;
    private readonly CancellationTokenSource stop = new();
    private readonly List<TcpClient> clients = [];
    private readonly Task accepting;
    private volatile bool stalled;

    public StallableProxy(int targetPort)
    {
        this.targetPort = targetPort;
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        accepting = AcceptAsync();
    }

    public int Port { get; }

    public void Stall() => stalled = true;

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync(stop.Token);
                var server = new TcpClient();
                lock (clients) clients.AddRange([client, server]);
                await server.ConnectAsync(IPAddress.Loopback, targetPort, stop.Token);
                _ = PumpAsync(client.GetStream(), server.GetStream());
                _ = PumpAsync(server.GetStream(), client.GetStream());
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, stop.Token)) > 0)
            {
                while (stalled) await Task.Delay(50, stop.Token);
                await to.WriteAsync(buffer.AsMemory(0, read), stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // One side closed, or the proxy stopped.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        await accepting;
        lock (clients) clients.ForEach(c => c.Dispose());
        stop.Dispose();
    }
}
