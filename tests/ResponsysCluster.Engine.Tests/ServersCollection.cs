using ResponsysCluster.TestServers;

namespace ResponsysCluster.Engine.Tests;

/// <summary>A real OpenSSH sshd and a real PostgreSQL on 127.0.0.1, shared by the engine's end-to-end tests.</summary>
[CollectionDefinition(Name)]
public sealed class ServersCollection : ICollectionFixture<SftpServer>, ICollectionFixture<PostgresServer>
{
    public const string Name = "servers";
}
