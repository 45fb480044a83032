using System.Net.Sockets;
using Renci.SshNet.Common;

namespace ResponsysCluster.Sftp.Tests;

public sealed class ConnectRetryPolicyTests
{
    [Fact]
    public void Should_back_off_exponentially_for_about_a_minute()
    {
        var delays = ConnectRetryPolicy.Default.Delays().Select(d => d.TotalSeconds).ToList();
        Assert.Equal([1, 2, 4, 8, 16, 16], delays);
        Assert.InRange(delays.Sum(), 40, 60);
    }

    [Fact]
    public void Should_retry_refused_connections_but_not_refused_logins()
    {
        Assert.True(ConnectRetryPolicy.IsTransient(new SocketException((int)SocketError.ConnectionRefused)));
        Assert.True(ConnectRetryPolicy.IsTransient(new SshOperationTimeoutException("timed out")));
        Assert.False(ConnectRetryPolicy.IsTransient(new SshAuthenticationException("Permission denied (publickey).")));
        Assert.False(ConnectRetryPolicy.IsTransient(new SocketException((int)SocketError.AccessDenied)));
    }
}
