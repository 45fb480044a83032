using System.Text;
using ResponsysCluster.Csv.Decoding;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Csv.Tests;

/// <summary>Listing and reading the entries of a zip of several files (made by Debian's zip) from its tail and their own bytes.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ZipCentralDirectoryTests
{
    private static readonly DateTimeOffset T = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);

    private static string Rows(int first, int count) =>
        "ID,EMAIL\n" + string.Concat(Enumerable.Range(first, count).Select(i => $"{i},user{i}@example.com\n"));

    private static Task<byte[]> ThreeEntriesAsync() =>
        ExportArchives.ZipAsync(("a.csv", Rows(1, 2000)), ("b.csv", Rows(2001, 3)), ("c.txt", Rows(2004, 5)));

    [Fact]
    public async Task Should_list_the_entries_from_the_tail_alone()
    {
        var zip = await ThreeEntriesAsync();
        var directory = new BytesDirectory(("LIST.zip", zip));

        var read = await ZipCentralDirectory.ReadAsync(directory, directory.File("LIST.zip"), CancellationToken.None);

        Assert.Equal(["a.csv", "b.csv", "c.txt"], read.Files.Select(f => f.Name));
        Assert.Equal(0, read.Files[0].Offset);
        Assert.Equal(read.Files[0].Offset + read.Files[0].Length, read.Files[1].Offset);
        Assert.All(directory.Ranges, range => Assert.Equal(zip.Length, range.Offset + range.Length));
        Assert.Single(directory.Ranges);
    }

    [Fact]
    public async Task Should_find_the_end_record_behind_a_comment()
    {
        var zip = await ThreeEntriesAsync();
        var comment = Encoding.ASCII.GetBytes("exported by hand");
        zip[^2] = (byte)comment.Length;
        var directory = new BytesDirectory(("LIST.zip", [.. zip, .. comment]));

        var read = await ZipCentralDirectory.ReadAsync(directory, directory.File("LIST.zip"), CancellationToken.None);

        Assert.Equal(3, read.Files.Count);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("directory")]
    [InlineData("offset")]
    public async Task Should_fail_a_damaged_tail_by_name(string damage)
    {
        var zip = await ThreeEntriesAsync();
        var end = zip.Length - 22;
        switch (damage)
        {
            case "truncated": zip = zip[..(zip.Length - 10)]; break;
            case "directory": zip[BitConverter.ToInt32(zip, end + 16)] ^= 0xFF; break;
            case "offset": BitConverter.TryWriteBytes(zip.AsSpan(end + 16), zip.Length); break;
        }
        var directory = new BytesDirectory(("LIST.zip", zip));

        var failure = await Assert.ThrowsAsync<ExportFileException>(() =>
            ZipCentralDirectory.ReadAsync(directory, directory.File("LIST.zip"), CancellationToken.None));

        Assert.StartsWith("/exports/LIST.zip: corrupt or truncated archive: ", failure.Message);
    }

    [Fact]
    public async Task Should_list_a_zip_of_several_files_as_its_entries_and_read_each_from_its_own_bytes()
    {
        var zip = await ThreeEntriesAsync();
        var single = await ExportArchives.ZipAsync(("LIST.csv", Rows(1, 2)));
        var inner = new BytesDirectory(("LIST_1.zip", zip), ("LIST_2.zip", single), ("LIST_1.zip.ready", []));
        await using var directory = new DecodedExportDirectory(inner, new ExportFileDecoder(null));

        var listed = await directory.ListAsync(CancellationToken.None);

        Assert.Equal(["LIST_1.zip!a.csv", "LIST_1.zip!b.csv", "LIST_1.zip!c.txt", "LIST_2.zip", "LIST_1.zip.ready"], listed.Select(f => f.Name));
        Assert.All(listed.Take(3), f => Assert.Equal((zip.Length, T), (f.Size, f.Modified)));
        var b = listed[1];
        inner.Ranges.Clear();
        using (var reader = new StreamReader(await directory.OpenReadAsync(b, CancellationToken.None)))
            Assert.Equal(Rows(2001, 3), await reader.ReadToEndAsync());
        var range = Assert.Single(inner.Ranges);
        Assert.True(range.Length < 1000, $"read {range.Length} bytes for an entry of a few hundred");
        Assert.Equal(b, await directory.StatAsync(b, CancellationToken.None));
    }

    [Fact]
    public async Task Should_list_a_zip_whose_tail_is_damaged_whole_and_fail_it_when_opened()
    {
        var zip = await ThreeEntriesAsync();
        var inner = new BytesDirectory(("LIST_1.zip", zip[..^5]));
        await using var directory = new DecodedExportDirectory(inner, new ExportFileDecoder(null));

        var listed = Assert.Single(await directory.ListAsync(CancellationToken.None));

        Assert.Equal("LIST_1.zip", listed.Name);
        var failure = await Assert.ThrowsAsync<ExportFileException>(() => directory.OpenReadAsync(listed, CancellationToken.None));
        Assert.StartsWith("/exports/LIST_1.zip: corrupt or truncated archive: ", failure.Message);
    }

    /// <summary>Files held in memory, served as the SFTP directory serves them; remembers each range read.</summary>
    private sealed class BytesDirectory(params (string Name, byte[] Bytes)[] files) : IExportDirectory
    {
        public List<(long Offset, long Length)> Ranges { get; } = [];

        public RemoteFile File(string name) => new("/exports/" + name, name, Bytes(name).Length, T);

        private byte[] Bytes(string name) => files.Single(f => f.Name == name).Bytes;

        public Task<IReadOnlyList<RemoteFile>> ListAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<RemoteFile>>(files.Select(f => File(f.Name)).ToList());

        public Task<Stream> OpenReadAsync(RemoteFile file, CancellationToken cancellationToken) =>
            Task.FromResult<Stream>(new MemoryStream(Bytes(file.Name), writable: false));

        public Task<Stream> OpenRangeAsync(RemoteFile file, long offset, long length, CancellationToken cancellationToken)
        {
            Ranges.Add((offset, length));
            return Task.FromResult<Stream>(new MemoryStream(Bytes(file.Name), (int)offset, (int)length, writable: false));
        }

        public Task<string> ReadSmallTextAsync(RemoteFile file, int maxBytes, CancellationToken cancellationToken) =>
            Task.FromResult(Encoding.UTF8.GetString(Bytes(file.Name)));

        public Task<RemoteFile?> StatAsync(RemoteFile file, CancellationToken cancellationToken) => Task.FromResult<RemoteFile?>(File(file.Name));

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
