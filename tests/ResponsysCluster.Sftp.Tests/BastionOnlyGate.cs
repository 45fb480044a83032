using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Sftp.Tests;

/// <summary>
/// Puts the SFTP server, for one test, where only the bastion reaches it: a TCP port on 127.0.0.1 (a
/// <see cref="TcpRelay"/>) in front of the real sshd that passes on a connection only when the socket at its other
/// end belongs to the bastion's login user (sshd opens a forwarded connection from the session process that runs as
/// that user), read from the kernel's socket table <c>/proc/net/tcp</c>. Every other connection, the test process's
/// own (root) included, is reset at once.
/// </summary>
internal sealed class BastionOnlyGate : IAsyncDisposable
{
    private readonly int allowedUid;
    private readonly TcpRelay relay;
    private int admitted;

    public BastionOnlyGate(int targetPort, string bastionUser)
    {
        allowedUid = UidOf(bastionUser);
        relay = new TcpRelay(targetPort, Admit);
    }

    public int Port => relay.Port;

    /// <summary>Connections passed on to the server: those the bastion opened.</summary>
    public int Admitted => Volatile.Read(ref admitted);

    public ValueTask DisposeAsync() => relay.DisposeAsync();

    private bool Admit(int number, Socket client)
    {
        if (OwnerOf((IPEndPoint)client.RemoteEndPoint!, (IPEndPoint)client.LocalEndPoint!) != allowedUid) return false;
        Interlocked.Increment(ref admitted);
        return true;
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
