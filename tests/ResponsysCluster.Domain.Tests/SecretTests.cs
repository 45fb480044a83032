using ResponsysCluster.Domain.Configuration;

namespace ResponsysCluster.Domain.Tests;

public sealed class SecretTests
{
    [Fact]
    public void Should_print_a_secret_as_stars()
    {
        var secret = new Secret("hunter2");
        Assert.Equal("***", secret.ToString());
        Assert.Equal("***", $"{secret}");
        Assert.Equal("hunter2", secret.Reveal());
    }
}
