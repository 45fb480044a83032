using System.Diagnostics;
using System.Net.Sockets;

namespace ResponsysCluster.TestServers;

/// <summary>
/// A TCP proxy on 127.0.0.1 (a <see cref="TcpRelay"/>) in front of a real server (the test sshd) that counts what
/// passes: each accepted connection with the time it was accepted, the bytes in each direction, and the times at
/// which the client sent data. The first <c>resetFirst</c> connections are accepted and reset at once, as a server
/// that is not ready yet would; later ones are forwarded.
/// </summary>
public sealed class TcpCountingProxy : IAsyncDisposable
{
    private readonly int resetFirst;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly List<ProxiedConnection> connections = [];
    private readonly TcpRelay relay;

    /// <summary>Starts listening at once; <paramref name="targetPort"/> is the real server's port on 127.0.0.1.</summary>
    public TcpCountingProxy(int targetPort, int resetFirst = 0)
    {
        this.resetFirst = resetFirst;
        relay = new TcpRelay(targetPort, Admit, CountAsync);
    }

    /// <summary>The port the proxy listens on.</summary>
    public int Port => relay.Port;

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

    /// <summary>Stops listening and ends every forwarded connection.</summary>
    public ValueTask DisposeAsync() => relay.DisposeAsync();

    private bool Admit(int number, Socket client)
    {
        var connection = new ProxiedConnection(clock, clock.Elapsed, number < resetFirst);
        lock (connections)
        {
            connections.Add(connection);
        }
        return !connection.WasReset;
    }

    private ValueTask CountAsync(int number, RelayDirection direction, int length, CancellationToken cancellationToken)
    {
        ProxiedConnection connection;
        lock (connections)
        {
            connection = connections[number];
        }
        if (direction == RelayDirection.ToServer) connection.CountToServer(length);
        else connection.CountFromServer(length);
        return ValueTask.CompletedTask;
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
