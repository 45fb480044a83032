namespace ResponsysCluster.TestServers;

/// <summary>
/// How a test assembly shares one <see cref="SftpServer"/> among its test classes.
/// xunit 2 only discovers collection definitions in the test assembly itself, so each test project
/// declares its own copy:
/// <code>
/// [CollectionDefinition(SftpCollection.Name)]
/// public sealed class SftpCollection : ICollectionFixture&lt;SftpServer&gt;
/// {
///     public const string Name = "sftp";
/// }
///
/// [Collection(SftpCollection.Name)]
/// public sealed class ListingTests(SftpServer server) { … }
/// </code>
/// Test classes in one collection do not run in parallel with each other.
/// </summary>
public static class SftpServerCollection
{
    /// <summary>The collection name the test projects use.</summary>
    public const string Name = "sftp";
}
