using ResponsysCluster.TestServers;

namespace ResponsysCluster.Sftp.Tests;

/// <summary>
/// The test fixtures never let two tests share an export directory: a file one test writes cannot show up in
/// another test's listing (as a stray file with NULs might).
/// </summary>
[Collection(SftpCollection.Name)]
public sealed class ExportDirectoryFixtureTests(SftpServer server)
{
    [Fact]
    public void Should_give_each_test_a_new_empty_directory_of_its_own()
    {
        var directories = Enumerable.Range(0, 50).Select(_ => server.CreateExportDirectory()).ToList();
        try
        {
            Assert.Equal(directories.Count, directories.Select(d => d.Path).Distinct().Count());
            Assert.All(directories, d => Assert.Empty(Directory.EnumerateFileSystemEntries(d.Path)));
            Assert.All(directories, d => Assert.Equal(server.DataRoot, Path.GetDirectoryName(d.Path)));
        }
        finally
        {
            foreach (var directory in directories) Directory.Delete(directory.Path, recursive: true);
        }
    }

    [Fact]
    public void Should_refuse_to_hand_out_a_directory_that_exists_already()
    {
        var taken = server.CreateExportDirectory();
        try
        {
            taken.Write("LIST.csv", "ID\n1\n");
            Assert.Throws<InvalidOperationException>(() => ExportDirectory.CreateNew(taken.Path));
        }
        finally
        {
            Directory.Delete(taken.Path, recursive: true);
        }
    }

    [Fact]
    public void Should_write_a_file_only_inside_its_own_directory()
    {
        var exports = server.CreateExportDirectory();
        try
        {
            Assert.Throws<ArgumentException>(() => exports.Write("../OTHER/LIST.csv", "ID\n1\n"));
            Assert.Throws<ArgumentException>(() => exports.Write(Path.Combine(server.DataRoot, "LIST.csv"), "ID\n1\n"));
        }
        finally
        {
            Directory.Delete(exports.Path, recursive: true);
        }
    }
}
