using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ResponsysCluster.Sftp.Tests;

/// <summary>
/// Puts the SFTP server, for one test, where only the bastion reaches it: a TCP port on 127.0.0.1 in front of the
/// real sshd that passes on a connection only when the socket at its other end belongs to the bastion's login user
/// (sshd opens a forwarded connection from the session process that runs as that user), read from the kernel's
/// socket table <c>/proc/net/tcp</c>. Every other connection, the test process's own (root) included, is closed at once.
/// </summary>
internal sealed class BastionOnlyGate : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly List<Task> pumps = [];
    private readonly Task accepting;
    private readonly int allowedUid;
    private int admitted;
    private int refused;

    public BastionOnlyGate(int targetPort, string bastionUser)
    {
        allowedUid = UidOf(bastionUser);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        accepting = AcceptAsync(targetPort);
    }

    public int Port { get; }

    /// <summary>Connections passed on to the server: those the bastion opened.</summary>
    public int Admitted => Volatile.Read(ref admitted);

    /// <summary>Connections closed at once: those anything else opened.</summary>
    public int Refused => Volatile.Read(ref refused);

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
            var peer = (IPEndPoint)client.Client.RemoteEndPoint!;
            if (OwnerOf(peer, (IPEndPoint)client.Client.LocalEndPoint!) != allowedUid)
            {
                Interlocked.Increment(ref refused);
                client.Client.LingerState = new LingerOption(true, 0);
                client.Dispose();
                continue;
            }
            Interlocked.Increment(ref admitted);
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
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), stop.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The gate stopped, or one end went away.
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }

    /// <summary>The uid owning the socket whose local end is <paramref name="peer"/> and remote end <paramref name="gate"/>; -1 when not found.</summary>
    private static int OwnerOf(IPEndPoint peer, IPEndPoint gate)
    {
        var local = ProcAddress(peer);
        var remote = ProcAddress(gate);
        foreach (var line in File.ReadLines("/proc/net/tcp").Skip(1))
        {
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid …
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields[1] == local && fields[2] == remote) return int.Parse(fields[7], CultureInfo.InvariantCulture);
        }
        return -1;
    }

    // /proc/net/tcp writes an IPv4 address as its 32-bit value in host (little-endian) order, the port big-endian.
    private static string ProcAddress(IPEndPoint endPoint)
    {
        var bytes = endPoint.Address.MapToIPv4().GetAddressBytes();
        Array.Reverse(bytes);
        return $"{Convert.ToHexString(bytes)}:{endPoint.Port:X4}";
    }

    private static int UidOf(string user) =>
        File.ReadLines("/etc/passwd").Select(l => l.Split(':')).Where(f => f[0] == user)
            .Select(f => int.Parse(f[2], CultureInfo.InvariantCulture)).Single();
}
