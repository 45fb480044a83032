using System.Net;
using System.Net.Sockets;

namespace ResponsysCluster.Sftp.Tests;

/// <summary>
/// A port on 127.0.0.1 that refuses every connection: a socket bound to it (port 0, read back) that never listens.
/// Holding the binding keeps the port refused for the whole test; no other process can start listening on it.
/// </summary>
internal sealed class RefusingPort : IDisposable
{
    private readonly Socket socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public RefusingPort()
    {
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Port = ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public int Port { get; }

    public void Dispose() => socket.Dispose();
}
