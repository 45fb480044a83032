using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Engine.Files;
using ResponsysCluster.Node.Hosting;
using ResponsysCluster.TestServers;
using static ResponsysCluster.Engine.Files.FileJobProtocol;

namespace ResponsysCluster.Engine.Tests;

[Collection(ServersCollection.Name)]
public sealed class FileLoadServiceTests(SftpServer sftp, PostgresServer postgres)
{
    private static readonly DateTimeOffset T = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);

    private async Task<(object Result, long Rows, string Schema)> LoadAsync(ExportDirectory exports, string name, Action<ExportDirectory>? afterListing = null)
    {
        var config = new ConnectionConfig
        {
            Host = sftp.Host, Port = sftp.Port, Username = sftp.User, Path = exports.Path, PrivateKeyFile = sftp.KeyPath("ed25519"),
            ConnectionId = "s" + Guid.NewGuid().ToString("N")[..10],
        };
        await using var dataSource = NpgsqlDataSource.Create(postgres.ConnectionString);
        await ConnectionAdapters.PrepareDatabaseAsync(dataSource, CancellationToken.None);
        await using var adapters = new ConnectionAdapters(dataSource, NullLoggerFactory.Instance, "test");
        var ports = adapters.For(config);
        IReadOnlyList<RemoteFile> listed;
        await using (var directory = await ports.Directory.ConnectAsync(CancellationToken.None))
            listed = await directory.ListAsync(CancellationToken.None);
        afterListing?.Invoke(exports);

        var file = listed.Single(f => f.Name == name);
        var ready = listed.Single(f => f.Name == ExportDirectory.ReadyFileName(name));
        var result = await new FileLoadService(ports)
            .LoadAsync(new FileJob(Guid.NewGuid(), config.ConnectionId, "LIST", file, ready, [], 1), _ => { }, CancellationToken.None);
        await using var count = dataSource.CreateCommand(
            $"SELECT count(*) FROM responsys_cluster.file_ledger WHERE connection_id = '{config.ConnectionId}'");
        return (result, (long)(await count.ExecuteScalarAsync())!, config.TargetSchema);
    }

    [Fact(Timeout = 120_000)]
    public async Task Should_fail_a_file_deleted_between_listing_and_reading_and_record_nothing()
    {
        var exports = sftp.CreateExportDirectory();
        exports.Write("LIST_1.csv", "ID\n1\n", T);
        exports.WriteReady("LIST_1.csv", "1", T);
        var (result, ledgerRows, _) = await LoadAsync(exports, "LIST_1.csv", e => e.Delete("LIST_1.csv"));
        var failed = Assert.IsType<FileJobFailed>(result);
        Assert.EndsWith("/LIST_1.csv", failed.Failure.Path);
        Assert.Contains("no longer exists", failed.Failure.Reason);
        Assert.Equal(0, ledgerRows);
    }

    [Fact(Timeout = 120_000)]
    public async Task Should_fail_a_file_without_a_header_naming_file_and_line()
    {
        var exports = sftp.CreateExportDirectory();
        exports.Write("LIST_1.csv", "\n1,2,3\n", T);
        exports.WriteReady("LIST_1.csv", "", T);
        var (result, ledgerRows, _) = await LoadAsync(exports, "LIST_1.csv");
        var failed = Assert.IsType<FileJobFailed>(result);
        Assert.Contains("LIST_1.csv: line 1: missing header", failed.Failure.Message);
        Assert.Equal(1, failed.Failure.Line);
        Assert.Equal(0, ledgerRows);
    }

    [Fact(Timeout = 120_000)]
    public async Task Should_load_a_ready_file_whole()
    {
        var exports = sftp.CreateExportDirectory();
        exports.Write("LIST_1.csv", "ID\n1\n2\n", T);
        exports.WriteReady("LIST_1.csv", "2", T);
        var (first, _, _) = await LoadAsync(exports, "LIST_1.csv");
        Assert.Equal(2, Assert.IsType<FileJobSucceeded>(first).RowsLoaded);
    }
}
