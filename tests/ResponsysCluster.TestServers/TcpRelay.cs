using System.Net;
using System.Net.Sockets;

namespace ResponsysCluster.TestServers;

/// <summary>
/// Decides, for the connection accepted <paramref name="number"/>th (from 0, in accept order, refused ones included),
/// whether the relay passes it on (true) or resets it (false). <paramref name="client"/> is the accepted socket.
/// </summary>
public delegate bool RelayAdmission(int number, Socket client);

/// <summary>
/// Awaited before each chunk of <paramref name="length"/> bytes that connection <paramref name="number"/> received
/// from one side is forwarded to the other; the chunk waits as long as the returned task does.
/// <paramref name="cancellationToken"/> is cancelled when the connection ends or the relay stops.
/// </summary>
public delegate ValueTask RelayChunkHook(int number, RelayDirection direction, int length, CancellationToken cancellationToken);

/// <summary>Which way a chunk goes through a <see cref="TcpRelay"/>.</summary>
public enum RelayDirection
{
    /// <summary>From the client that connected to the relay to the server behind it.</summary>
    ToServer,

    /// <summary>From the server back to the client.</summary>
    FromServer,
}

/// <summary>
/// A TCP relay on 127.0.0.1 in front of a real server (the test sshd, PostgreSQL) that the test proxies are made of.
/// It listens on a port the system picks (bound to port 0 and read back, so no other process can take it between a
/// check and the bind), asks its admission hook about each accepted connection and resets the refused ones (linger
/// 0, as a crashed or restarting server does), connects each admitted one to the server and copies bytes both ways,
/// awaiting its chunk hook before each chunk. A side that closes is passed on as a close of the other (its FIN as a
/// FIN); a side that fails ends the connection. Disposing it stops listening, ends every connection and waits for
/// its copies to end.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private const int ChunkSize = 64 * 1024;

    private readonly Socket listener;
    private readonly int targetPort;
    private readonly RelayAdmission? admit;
    private readonly RelayChunkHook? beforeChunk;
    private readonly CancellationTokenSource stop = new();
    private readonly List<Task> connections = [];
    private readonly Task acceptLoop;

    /// <summary>
    /// Starts listening at once; <paramref name="targetPort"/> is the real server's port on 127.0.0.1. Without
    /// <paramref name="admit"/> every connection is passed on; without <paramref name="beforeChunk"/> chunks pass at once.
    /// </summary>
    public TcpRelay(int targetPort, RelayAdmission? admit = null, RelayChunkHook? beforeChunk = null)
    {
        this.targetPort = targetPort;
        this.admit = admit;
        this.beforeChunk = beforeChunk;
        listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        listener.Listen(64);
        acceptLoop = Task.Run(AcceptAsync);
    }

    /// <summary>The port the relay listens on.</summary>
    public int Port { get; }

    private async Task AcceptAsync()
    {
        for (var number = 0; !stop.IsCancellationRequested; number++)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            if (admit is not null && !admit(number, client))
            {
                client.LingerState = new LingerOption(true, 0);
                client.Close();
                continue;
            }
            var relayed = RelayAsync(number, client);
            lock (connections)
            {
                connections.Add(relayed);
            }
        }
    }

    private async Task RelayAsync(int number, Socket client)
    {
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        using (client)
        using (var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            try
            {
                await server.ConnectAsync(new IPEndPoint(IPAddress.Loopback, targetPort), ended.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The server cannot be reached or the relay stopped: the client's connection just closes.
                return;
            }
            await Task.WhenAll(
                CopyAsync(number, RelayDirection.ToServer, client, server, ended),
                CopyAsync(number, RelayDirection.FromServer, server, client, ended)).ConfigureAwait(false);
        }
    }

    private async Task CopyAsync(int number, RelayDirection direction, Socket from, Socket to, CancellationTokenSource ended)
    {
        var buffer = new byte[ChunkSize];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, ended.Token).ConfigureAwait(false);
                if (read == 0) break;
                if (beforeChunk is not null) await beforeChunk(number, direction, read, ended.Token).ConfigureAwait(false);
                var sent = 0;
                while (sent < read)
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, ended.Token).ConfigureAwait(false);
            }
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // One side is gone or the relay stopped: close both sockets so that the other copy ends too.
            await ended.CancelAsync().ConfigureAwait(false);
            from.Close();
            to.Close();
        }
    }

    /// <summary>Stops listening, ends every connection and waits until each has ended.</summary>
    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        listener.Close();
        await acceptLoop.ConfigureAwait(false);
        Task[] running;
        lock (connections)
        {
            running = [.. connections];
        }
        await Task.WhenAll(running).ConfigureAwait(false);
        stop.Dispose();
    }
}
