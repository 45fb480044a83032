using System.Net;
using System.Net.Sockets;

namespace ResponsysCluster.Sftp.Tests;

/// <summary>After a delay, listens on 127.0.0.1:<c>port</c> and forwards each connection to the real sshd.</summary>
internal sealed class DelayedForwarder : IDisposable
{
    private readonly CancellationTokenSource stop = new();
    private int accepted;

    public DelayedForwarder(int port, int targetPort, TimeSpan delay) =>
        _ = Task.Run(() => RunAsync(port, targetPort, delay, stop.Token));

    public int Accepted => Volatile.Read(ref accepted);

    private async Task RunAsync(int port, int targetPort, TimeSpan delay, CancellationToken cancellationToken)
    {
        await Task.Delay(delay, cancellationToken);
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(cancellationToken);
                Interlocked.Increment(ref accepted);
                var upstream = new TcpClient();
                await upstream.ConnectAsync(IPAddress.Loopback, targetPort, cancellationToken);
                _ = PumpAsync(client, upstream, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            listener.Stop();
        }
    }

    private static async Task PumpAsync(TcpClient client, TcpClient upstream, CancellationToken cancellationToken)
    {
        using (client)
        using (upstream)
        {
            var a = client.GetStream().CopyToAsync(upstream.GetStream(), cancellationToken);
            var b = upstream.GetStream().CopyToAsync(client.GetStream(), cancellationToken);
            try
            {
                await Task.WhenAny(a, b);
            }
            catch (Exception)
            {
                // A closed side ends the forward; nothing to report.
            }
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        stop.Dispose();
    }
}
