using System.Net;
using System.Net.Sockets;

namespace ResponsysCluster.Sftp.Tests;

/// <summary>
/// A TCP forwarder on 127.0.0.1 (a port the system picks) in front of the test sshd that can stall: after
/// <see cref="Stall"/> it stops passing bytes either way but keeps every connection open, as a network path that
/// silently drops packets would. Disposing it ends the connections.
/// </summary>
internal sealed class StallingProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly TaskCompletionSource stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> pumps = [];
    private readonly Task accepting;

    public StallingProxy(int targetPort)
    {
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        accepting = AcceptAsync(targetPort);
    }

    public int Port { get; }

    /// <summary>From now on no byte passes, in either direction.</summary>
    public void Stall() => stalled.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped on purpose.
        }
        Task[] running;
        lock (pumps) running = [.. pumps];
        await Task.WhenAll(running);
        stop.Dispose();
    }

    private async Task AcceptAsync(int targetPort)
    {
        while (!stop.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(stop.Token);
            var server = new TcpClient();
            await server.ConnectAsync(IPAddress.Loopback, targetPort, stop.Token);
            lock (pumps)
            {
                pumps.Add(PumpAsync(client, server));
                pumps.Add(PumpAsync(server, client));
            }
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            var source = from.GetStream();
            var target = to.GetStream();
            while (true)
            {
                var read = await source.ReadAsync(buffer, stop.Token);
                if (read == 0) break;
                // Stalled: hold on to the bytes and the connection, passing nothing, until the proxy stops.
                if (stalled.Task.IsCompleted) await Task.Delay(Timeout.Infinite, stop.Token);
                await target.WriteAsync(buffer.AsMemory(0, read), stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The proxy stopped, or one end went away.
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }
}
