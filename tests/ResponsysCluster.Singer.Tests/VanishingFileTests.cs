using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Sftp;
using ResponsysCluster.Singer.Catalog;
using ResponsysCluster.Singer.Sync;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Singer.Tests;

[Collection(SftpCollection.Name)]
public sealed class VanishingFileTests(SftpServer server)
{
    private static readonly DateTimeOffset T = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);

    [Theory(Timeout = Timeouts.EndToEnd)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Should_fail_a_file_deleted_or_grown_between_listing_and_reading_and_go_on(bool delete)
    {
        var exports = server.CreateExportDirectory();
        exports.Write("LIST_20180911_01.csv", "ID\n1\n", T.AddMinutes(1));
        exports.Write("LIST_20180911_02.csv", "ID\n2\n", T.AddMinutes(2));
        exports.WriteReady("LIST_20180911_01.csv", "", T);
        exports.WriteReady("LIST_20180911_02.csv", "", T);
        var config = new ConnectionConfig
        {
            Host = server.Host, Port = server.Port, Username = server.User, Path = exports.Path,
            PrivateKeyFile = server.KeyPath("ed25519"), StartDate = T,
        };

        await using var sftp = await new SftpConnector(config, NullLogger.Instance).ConnectAsync(CancellationToken.None);
        var directory = new ChangesAfterListing(sftp, () =>
        {
            if (delete) exports.Delete("LIST_20180911_01.csv");
            else File.AppendAllText(Path.Combine(exports.Path, "LIST_20180911_01.csv"), "3\n");
        });
        var catalog = new SingerCatalog([SelectedStream("LIST")]);
        using var output = new MemoryStream();
        TapSyncResult result;
        using (var writer = new SingerMessageWriter(output))
            result = await new TapSync(config, writer, NullLogger.Instance, TimeProvider.System).RunAsync(directory, catalog, SingerState.Empty, CancellationToken.None);

        var failure = Assert.Single(result.Failures);
        Assert.Equal(exports.Path + "/LIST_20180911_01.csv", failure.FilePath);
        Assert.Contains(delete ? "no longer exists" : "changed after it was listed", failure.Reason);
        var records = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonNode.Parse(l)!).Where(m => m["type"]!.GetValue<string>() == "RECORD").ToList();
        Assert.Equal(["2"], records.Select(r => r["record"]!["ID"]!.ToJsonString()));
        var bookmark = result.State.ToJson()["bookmarks"]!["LIST"]!;
        Assert.Equal("2018-09-11T09:00:00Z", bookmark["modified_since"]!.GetValue<string>());
        Assert.DoesNotContain("LIST_20180911_01.csv", bookmark.ToJsonString());
    }

    private static CatalogStream SelectedStream(string table)
    {
        var stream = CatalogStream.Discovered(table, [new ResponsysCluster.Domain.Schema.Column("ID", ResponsysCluster.Domain.Schema.ColumnType.Integer)]);
        stream.Metadata.OfType<JsonObject>().Single(m => m["breadcrumb"]!.AsArray().Count == 0)["metadata"]!["selected"] = true;
        return stream;
    }

    /// <summary>The real SFTP directory, with a change made on the server right after it is listed.</summary>
    private sealed class ChangesAfterListing(IExportDirectory inner, Action change) : IExportDirectory
    {
        public async Task<IReadOnlyList<RemoteFile>> ListAsync(CancellationToken cancellationToken)
        {
            var files = await inner.ListAsync(cancellationToken);
            change();
            return files;
        }

        public Task<Stream> OpenReadAsync(RemoteFile file, CancellationToken cancellationToken) => inner.OpenReadAsync(file, cancellationToken);
        public Task<Stream> OpenRangeAsync(RemoteFile file, long offset, long length, CancellationToken cancellationToken) => inner.OpenRangeAsync(file, offset, length, cancellationToken);
        public Task<string> ReadSmallTextAsync(RemoteFile file, int maxBytes, CancellationToken cancellationToken) => inner.ReadSmallTextAsync(file, maxBytes, cancellationToken);
        public Task<RemoteFile?> StatAsync(RemoteFile file, CancellationToken cancellationToken) => inner.StatAsync(file, cancellationToken);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
