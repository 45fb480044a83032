using Microsoft.Extensions.Logging.Abstractions;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Sftp.Tests;

[Collection(SftpCollection.Name)]
public sealed class SftpExportDirectoryTests(SftpServer server)
{
    private static readonly DateTimeOffset Modified = new(2018, 9, 11, 9, 11, 2, TimeSpan.Zero);

    private async Task<IExportDirectory> ConnectAsync(ExportDirectory exports) =>
        await new SftpConnector(ConnectionConfigs.WithKey(server, exports.Path), NullLogger.Instance).ConnectAsync(CancellationToken.None);

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_list_only_the_immediate_regular_files_with_size_and_utc_mtime()
    {
        var exports = server.CreateExportDirectory();
        exports.Write("20180911_LIST.csv", "ID\n1\n", Modified);
        exports.Write("20180911_LIST.ready", "", Modified);
        Directory.CreateDirectory(Path.Combine(exports.Path, "archive"));
        File.WriteAllText(Path.Combine(exports.Path, "archive", "OLD.csv"), "ID\n1\n");

        await using var directory = await ConnectAsync(exports);
        var files = (await directory.ListAsync(CancellationToken.None)).OrderBy(f => f.Name).ToList();

        Assert.Equal(["20180911_LIST.csv", "20180911_LIST.ready"], files.Select(f => f.Name));
        var data = files[0];
        Assert.Equal(exports.Path + "/20180911_LIST.csv", data.Path);
        Assert.Equal(5, data.Size);
        Assert.Equal(Modified, data.Modified);
        Assert.Equal(TimeSpan.Zero, data.Modified.Offset);
        Assert.Equal(0, files[1].Size);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_stream_a_file_whole()
    {
        var exports = server.CreateExportDirectory();
        var content = string.Concat(Enumerable.Range(0, 200_000).Select(i => $"{i},value-{i}\n"));
        exports.Write("BIG.csv", content);

        await using var directory = await ConnectAsync(exports);
        var file = (await directory.ListAsync(CancellationToken.None)).Single();
        await using var stream = await directory.OpenReadAsync(file, CancellationToken.None);
        using var reader = new StreamReader(stream);
        Assert.Equal(content, await reader.ReadToEndAsync());
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_stream_a_byte_range_and_count_it_a_complete_read()
    {
        var exports = server.CreateExportDirectory();
        var bytes = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7 + i / 256)).ToArray();
        exports.WriteBytes("LIST.zip", bytes);

        await using var directory = await new SftpConnector(ConnectionConfigs.WithKey(server, exports.Path), NullLogger.Instance).ConnectAsync(CancellationToken.None);
        var file = (await directory.ListAsync(CancellationToken.None)).Single();
        var read = new MemoryStream();
        await using (var stream = await directory.OpenRangeAsync(file, 100_000, 150_000, CancellationToken.None))
            await stream.CopyToAsync(read);

        Assert.Equal(bytes[100_000..250_000], read.ToArray());
        await directory.EndReadsAsync(TimeSpan.FromSeconds(10));
        Assert.Null(directory.Fault);
        await Assert.ThrowsAsync<InvalidOperationException>(() => directory.OpenRangeAsync(file, 200_000, 150_000, CancellationToken.None));
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_fail_a_file_deleted_after_listing()
    {
        var exports = server.CreateExportDirectory();
        exports.Write("LIST.csv", "ID\n1\n");
        await using var directory = await ConnectAsync(exports);
        var file = (await directory.ListAsync(CancellationToken.None)).Single();
        exports.Delete("LIST.csv");

        var error = await Assert.ThrowsAsync<ExportFileException>(() => directory.OpenReadAsync(file, CancellationToken.None));
        Assert.Equal(file.Path, error.FilePath);
        Assert.Contains("no longer exists", error.Reason);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_fail_a_file_that_grew_after_listing()
    {
        var exports = server.CreateExportDirectory();
        exports.Write("LIST.csv", "ID\n1\n", Modified);
        await using var directory = await ConnectAsync(exports);
        var file = (await directory.ListAsync(CancellationToken.None)).Single();
        File.AppendAllText(Path.Combine(exports.Path, "LIST.csv"), "2\n");

        var error = await Assert.ThrowsAsync<ExportFileException>(() => directory.OpenReadAsync(file, CancellationToken.None));
        Assert.Contains("changed after it was listed", error.Reason);
        Assert.Contains("next run", error.Reason);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_read_a_ready_files_count()
    {
        var exports = server.CreateExportDirectory();
        exports.Write("LIST.ready", "  12345\n");
        await using var directory = await ConnectAsync(exports);
        var ready = (await directory.ListAsync(CancellationToken.None)).Single();
        Assert.Equal(12345, ReadyFileContent.RecordCount(await directory.ReadSmallTextAsync(ready, 4096, CancellationToken.None)));
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_report_a_vanished_file_as_missing_on_stat()
    {
        var exports = server.CreateExportDirectory();
        exports.Write("LIST.csv", "ID\n1\n");
        await using var directory = await ConnectAsync(exports);
        var file = (await directory.ListAsync(CancellationToken.None)).Single();
        Assert.NotNull(await directory.StatAsync(file, CancellationToken.None));
        exports.Delete("LIST.csv");
        Assert.Null(await directory.StatAsync(file, CancellationToken.None));
    }
}
