using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ResponsysCluster.TestServers;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of a real server (the test sshd) that counts what passes: each accepted
/// connection with the time it was accepted, the bytes in each direction, and the times at which the client
/// sent data. It listens on a port the system picks (bound to port 0 and read back, so no other process can
/// take it between a check and the bind). The first <c>resetFirst</c> connections are accepted and reset at
/// once, as a server that is not ready yet would; later ones are forwarded.
/// </summary>
public sealed class TcpCountingProxy : IAsyncDisposable
{
    private readonly Socket listener;
    private readonly int targetPort;
    private readonly int resetFirst;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource stop = new();
    private readonly List<ProxiedConnection> connections = [];
    private readonly List<Task> pumps = [];
    private readonly Task acceptLoop;

    /// <summary>Starts listening at once; <paramref name="targetPort"/> is the real server's port on 127.0.0.1.</summary>
    public TcpCountingProxy(int targetPort, int resetFirst = 0)
    {
        this.targetPort = targetPort;
        this.resetFirst = resetFirst;
        listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        listener.Listen(64);
        acceptLoop = Task.Run(AcceptAsync);
    }

    /// <summary>The port the proxy listens on.</summary>
    public int Port { get; }

    /// <summary>Time since the proxy started, on the clock its records use.</summary>
    public TimeSpan Now => clock.Elapsed;

    /// <summary>The connections accepted so far, in order (reset ones included).</summary>
    public IReadOnlyList<ProxiedConnection> Connections
    {
        get
        {
            lock (connections)
            {
                return [.. connections];
            }
        }
    }

    /// <summary>Bytes sent by the server to clients, over every connection so far.</summary>
    public long BytesFromServer => Connections.Sum(c => c.BytesFromServer);

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
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

            ProxiedConnection connection;
            lock (connections)
            {
                connection = new ProxiedConnection(clock, clock.Elapsed, connections.Count < resetFirst);
                connections.Add(connection);
            }
            if (connection.WasReset)
            {
                // Linger 0: the close sends a RST, as a crashed or restarting server does.
                client.LingerState = new LingerOption(true, 0);
                client.Close();
                continue;
            }
            var pump = ForwardAsync(client, connection);
            lock (pumps)
            {
                pumps.Add(pump);
            }
        }
    }

    private async Task ForwardAsync(Socket client, ProxiedConnection connection)
    {
        using (client)
        using (var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            try
            {
                await server.ConnectAsync(new IPEndPoint(IPAddress.Loopback, targetPort), stop.Token).ConfigureAwait(false);
                var up = CopyAsync(client, server, connection.CountToServer);
                var down = CopyAsync(server, client, connection.CountFromServer);
                await Task.WhenAll(up, down).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // A side closed or the proxy stopped: the forward ends.
            }
        }
    }

    private async Task CopyAsync(Socket from, Socket to, Action<int> count)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, stop.Token).ConfigureAwait(false);
                if (read == 0) break;
                count(read);
                var sent = 0;
                while (sent < read)
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, stop.Token).ConfigureAwait(false);
            }
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // One side is gone: close both so the other copy ends too.
            from.Close();
            to.Close();
        }
    }

    /// <summary>Stops listening and ends every forwarded connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        listener.Close();
        await acceptLoop.ConfigureAwait(false);
        Task[] running;
        lock (pumps)
        {
            running = [.. pumps];
        }
        await Task.WhenAll(running).ConfigureAwait(false);
        stop.Dispose();
    }
}

/// <summary>One connection the <see cref="TcpCountingProxy"/> accepted.</summary>
public sealed class ProxiedConnection
{
    private readonly Stopwatch clock;
    private readonly List<TimeSpan> clientSends = [];
    private long bytesToServer;
    private long bytesFromServer;

    internal ProxiedConnection(Stopwatch clock, TimeSpan acceptedAt, bool wasReset)
    {
        this.clock = clock;
        AcceptedAt = acceptedAt;
        WasReset = wasReset;
    }

    /// <summary>When the proxy accepted it, since the proxy started.</summary>
    public TimeSpan AcceptedAt { get; }

    /// <summary>True when the proxy reset it instead of forwarding it.</summary>
    public bool WasReset { get; }

    /// <summary>Bytes the client sent to the server.</summary>
    public long BytesToServer => Interlocked.Read(ref bytesToServer);

    /// <summary>Bytes the server sent to the client.</summary>
    public long BytesFromServer => Interlocked.Read(ref bytesFromServer);

    /// <summary>When data from the client arrived (one entry per receive), since the proxy started.</summary>
    public IReadOnlyList<TimeSpan> ClientSends
    {
        get
        {
            lock (clientSends)
            {
                return [.. clientSends];
            }
        }
    }

    internal void CountToServer(int bytes)
    {
        Interlocked.Add(ref bytesToServer, bytes);
        lock (clientSends)
        {
            clientSends.Add(clock.Elapsed);
        }
    }

    internal void CountFromServer(int bytes) => Interlocked.Add(ref bytesFromServer, bytes);
}
