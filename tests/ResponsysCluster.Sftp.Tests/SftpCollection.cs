using ResponsysCluster.TestServers;
using Xunit;

namespace ResponsysCluster.Sftp.Tests;

/// <summary>One <see cref="SftpServer"/> shared by every test class marked <c>[Collection(SftpCollection.Name)]</c>.</summary>
[CollectionDefinition(SftpCollection.Name)]
public sealed class SftpCollection : ICollectionFixture<SftpServer>
{
    /// <summary>The collection name.</summary>
    public const string Name = "sftp";
}
