using System.Net;
using System.Net.Sockets;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// Forwards TCP connections from 127.0.0.1 (on a port the system picks when it binds, so no other test can take it
/// in between) to the real sshd, letting each connection pass at most <c>holdAfter</c> bytes from the server and
/// holding the rest until <see cref="Release"/>. A download through it stops mid-file for as long as a test needs:
/// a fault then lands mid-COPY by construction, not by timing.
/// </summary>
internal sealed class HoldingForwarder : IAsyncDisposable
{
    private const int ChunkSize = 64 * 1024;

    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> pumps = [];
    private readonly string targetHost;
    private readonly int targetPort;
    private readonly long holdAfter;
    private readonly Task accepting;
    private int held;

    public HoldingForwarder(string targetHost, int targetPort, long holdAfter)
    {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.holdAfter = holdAfter;
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        accepting = AcceptAsync(stop.Token);
    }

    public int Port { get; }

    /// <summary>Connections that passed their allowance and now hold back what the server sends.</summary>
    public int Held => Volatile.Read(ref held);

    /// <summary>Lets every connection, held or not, pass everything from now on.</summary>
    public void Release() => released.TrySetResult();

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync(cancellationToken);
                var upstream = new TcpClient();
                await upstream.ConnectAsync(targetHost, targetPort, cancellationToken);
                lock (pumps) pumps.Add(PumpAsync(client, upstream, cancellationToken));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task PumpAsync(TcpClient client, TcpClient upstream, CancellationToken cancellationToken)
    {
        using (client)
        using (upstream)
        {
            try
            {
                await Task.WhenAny(
                    client.GetStream().CopyToAsync(upstream.GetStream(), cancellationToken),
                    FromServerAsync(upstream.GetStream(), client.GetStream(), cancellationToken));
            }
            catch (Exception)
            {
                // A closed side ends the forward; nothing to report.
            }
        }
    }

    private async Task FromServerAsync(Stream server, Stream client, CancellationToken cancellationToken)
    {
        var buffer = new byte[ChunkSize];
        long passed = 0;
        while (true)
        {
            var allowed = released.Task.IsCompleted ? ChunkSize : (int)Math.Min(ChunkSize, holdAfter - passed);
            if (allowed <= 0)
            {
                Interlocked.Increment(ref held);
                try
                {
                    await released.Task.WaitAsync(cancellationToken);
                }
                finally
                {
                    Interlocked.Decrement(ref held);
                }
                continue;
            }
            var read = await server.ReadAsync(buffer.AsMemory(0, allowed), cancellationToken);
            if (read == 0) return;
            await client.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            passed += read;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await stop.CancelAsync();
        listener.Stop();
        await accepting;
        Task[] running;
        lock (pumps) running = [.. pumps];
        await Task.WhenAll(running);
        stop.Dispose();
    }
}
