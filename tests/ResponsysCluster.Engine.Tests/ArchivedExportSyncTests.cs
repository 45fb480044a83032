using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using ResponsysCluster.Node.Commands;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// <c>sync</c> of compressed and encrypted exports made by Debian's gzip, zip and gpg, end to end: real sshd, real
/// PostgreSQL. A file that cannot be decoded fails alone, by name and reason, and loads once fixed.
/// </summary>
[Collection(ServersCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ArchivedExportSyncTests(SftpServer sftp, PostgresServer postgres, OpenPgpTestKeys keys) : IClassFixture<OpenPgpTestKeys>
{
    private const int TestTimeout = 180_000;
    private const string PassphraseVariable = "RSX_TEST_PGP_PASSPHRASE";
    private static readonly DateTimeOffset T = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);
    private readonly string connection = "c" + Guid.NewGuid().ToString("N")[..10];

    private string Schema => "responsys_" + connection;

    private static string Rows(int first, int count) =>
        "ID,EMAIL\n" + string.Concat(Enumerable.Range(first, count).Select(i => $"{i},user{i}@example.com\n"));

    private string WriteConfig(ExportDirectory exports)
    {
        Environment.SetEnvironmentVariable(PassphraseVariable, OpenPgpTestKeys.Passphrase);
        var path = Path.Combine(Directory.CreateTempSubdirectory("rsx-sync-").FullName, "connection.json");
        var config = new JsonObject
        {
            ["host"] = sftp.Host, ["port"] = sftp.Port, ["username"] = sftp.User, ["path"] = exports.Path,
            ["private_key_file"] = sftp.KeyPath("ed25519"), ["start_date"] = "2018-01-01T00:00:00Z",
            ["connection_id"] = connection, ["ready_timeout"] = 1_000_000,
            ["pgp_private_key_file"] = keys.RecipientSecretKeyFile, ["pgp_passphrase_env"] = PassphraseVariable,
            ["pgp_signer_public_key_file"] = keys.SignerPublicKeyFile,
        };
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    private async Task<(int ExitCode, string Report)> SyncAsync(string config)
    {
        var output = new StringWriter();
        var exitCode = await new SyncCommand(NullLoggerFactory.Instance)
            .RunAsync(new SyncArguments(config, postgres.ConnectionString, null), output, CancellationToken.None);
        return (exitCode, output.ToString());
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(postgres.ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    private Task<long> RowsOfAsync(ExportDirectory exports, string fileName) =>
        CountAsync($"SELECT count(*) FROM {Schema}.list WHERE _sdc_source_file = '{exports.PathOf(fileName)}'");

    [Fact(Timeout = TestTimeout)]
    public async Task Should_load_gzip_zip_and_signed_encrypted_files_each_as_its_file_version()
    {
        var exports = sftp.CreateExportDirectory();
        exports.WriteBytes("LIST_20180911.csv.gz", await ExportArchives.GzipAsync(Rows(1, 30_000)), T);
        exports.WriteReady("LIST_20180911.csv.gz", "30000", T);
        exports.WriteBytes("LIST_20180912.zip", await ExportArchives.StreamedZipAsync(Rows(30_001, 20)), T.AddDays(1));
        exports.Write("LIST_20180912.zip.ready", "20", T.AddDays(1));
        exports.WriteBytes("LIST_20180913.csv.gpg", await keys.EncryptAsync(Rows(30_021, 5)), T.AddDays(2));
        exports.WriteReady("LIST_20180913.csv.gpg", "5", T.AddDays(2));
        exports.WriteBytes("LIST_20180914.zip.asc", await keys.EncryptAsync(await ExportArchives.ZipAsync(("LIST.csv", Rows(30_026, 3))), armor: true), T.AddDays(3));
        exports.WriteReady("LIST_20180914.zip.asc", "3", T.AddDays(3));
        var config = WriteConfig(exports);

        var first = await SyncAsync(config);
        Assert.True(first.ExitCode == 0, first.Report);
        Assert.Equal(30_000, await RowsOfAsync(exports, "LIST_20180911.csv.gz"));
        Assert.Equal(20, await RowsOfAsync(exports, "LIST_20180912.zip"));
        Assert.Equal(5, await RowsOfAsync(exports, "LIST_20180913.csv.gpg"));
        Assert.Equal(3, await RowsOfAsync(exports, "LIST_20180914.zip.asc"));
        Assert.Equal(30_028, await CountAsync($"SELECT count(DISTINCT id) FROM {Schema}.list"));

        var second = await SyncAsync(config);
        Assert.True(second.ExitCode == 0, second.Report);
        Assert.Equal(30_028, await CountAsync($"SELECT count(*) FROM {Schema}.list"));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_fail_each_undecodable_file_alone_by_name_and_reason_and_load_it_once_fixed()
    {
        var exports = sftp.CreateExportDirectory();
        var gzip = await ExportArchives.GzipAsync(Rows(1, 10));
        var corruptGzip = gzip.ToArray();
        corruptGzip[^6] ^= 0xFF; // in the trailer's CRC
        exports.WriteBytes("LIST_20180911.csv.gz", corruptGzip, T);
        exports.WriteReady("LIST_20180911.csv.gz", "", T);
        var zip = await ExportArchives.ZipAsync(("LIST.csv", Rows(11, 10)));
        exports.WriteBytes("LIST_20180912.zip", zip[..(zip.Length / 2)], T.AddDays(1));
        exports.WriteReady("LIST_20180912.zip", "", T.AddDays(1));
        exports.WriteBytes("LIST_20180913.csv.gpg", await keys.EncryptAsync(Rows(21, 10), recipient: OpenPgpTestKeys.Stranger), T.AddDays(2));
        exports.WriteReady("LIST_20180913.csv.gpg", "", T.AddDays(2));
        exports.WriteBytes("LIST_20180914.csv.gpg", await keys.EncryptAsync(Rows(31, 10), signer: OpenPgpTestKeys.Stranger), T.AddDays(3));
        exports.WriteReady("LIST_20180914.csv.gpg", "", T.AddDays(3));
        exports.WriteBytes("LIST_20180915.csv.gz", await ExportArchives.GzipAsync(Rows(41, 10)), T.AddDays(4));
        exports.WriteReady("LIST_20180915.csv.gz", "10", T.AddDays(4));
        var config = WriteConfig(exports);

        var first = await SyncAsync(config);
        Assert.Equal(1, first.ExitCode);
        Assert.Matches(@"LIST\s+1\s+0\s+4\s", first.Report);
        Assert.Contains($"{exports.PathOf("LIST_20180911.csv.gz")}: corrupt or truncated archive", first.Report);
        Assert.Contains($"{exports.PathOf("LIST_20180912.zip")}: corrupt or truncated archive", first.Report);
        Assert.Contains($"{exports.PathOf("LIST_20180913.csv.gpg")}: wrong key", first.Report);
        Assert.Contains($"{exports.PathOf("LIST_20180914.csv.gpg")}: bad signature", first.Report);
        Assert.DoesNotContain(OpenPgpTestKeys.Passphrase, first.Report);
        Assert.Equal(10, await CountAsync($"SELECT count(*) FROM {Schema}.list"));

        exports.WriteBytes("LIST_20180911.csv.gz", gzip, T.AddMinutes(1));
        exports.WriteBytes("LIST_20180912.zip", zip, T.AddDays(1).AddMinutes(1));
        exports.WriteBytes("LIST_20180913.csv.gpg", await keys.EncryptAsync(Rows(21, 10)), T.AddDays(2).AddMinutes(1));
        exports.WriteBytes("LIST_20180914.csv.gpg", await keys.EncryptAsync(Rows(31, 10)), T.AddDays(3).AddMinutes(1));
        var second = await SyncAsync(config);
        Assert.True(second.ExitCode == 0, second.Report);
        Assert.Equal(50, await CountAsync($"SELECT count(*) FROM {Schema}.list"));
        Assert.Equal(50, await CountAsync($"SELECT count(DISTINCT id) FROM {Schema}.list"));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_load_each_file_of_a_zip_of_several_as_its_own_file_version_once_and_again_when_replaced()
    {
        var exports = sftp.CreateExportDirectory();
        var zip = await ExportArchives.ZipAsync(("a.csv", Rows(1, 4)), ("b.csv", Rows(5, 3)), ("c.csv", Rows(8, 2)));
        exports.WriteBytes("LIST_20180911.zip", zip, T);
        // The count is the archive's (9): not checked against any one entry.
        exports.Write("LIST_20180911.zip.ready", "9", T);
        var config = WriteConfig(exports);

        var first = await SyncAsync(config);
        Assert.True(first.ExitCode == 0, first.Report);
        Assert.Equal(4, await RowsOfAsync(exports, "LIST_20180911.zip!a.csv"));
        Assert.Equal(3, await RowsOfAsync(exports, "LIST_20180911.zip!b.csv"));
        Assert.Equal(2, await RowsOfAsync(exports, "LIST_20180911.zip!c.csv"));
        Assert.Equal(9, await CountAsync($"SELECT count(*) FROM {Schema}.list"));
        Assert.Equal(3, await CountAsync($"SELECT count(*) FROM responsys_cluster.file_ledger WHERE connection_id = '{connection}' AND path LIKE '%.zip!_.csv'"));

        var second = await SyncAsync(config);
        Assert.True(second.ExitCode == 0, second.Report);
        Assert.Equal(9, await CountAsync($"SELECT count(*) FROM {Schema}.list"));
        Assert.Equal(3, await CountAsync($"SELECT count(*) FROM responsys_cluster.file_ledger WHERE connection_id = '{connection}'"));

        exports.WriteBytes("LIST_20180911.zip", await ExportArchives.ZipAsync(("a.csv", Rows(1, 5)), ("b.csv", Rows(6, 1)), ("c.csv", Rows(7, 1))), T.AddHours(1));
        var third = await SyncAsync(config);
        Assert.True(third.ExitCode == 0, third.Report);
        Assert.Equal(5, await RowsOfAsync(exports, "LIST_20180911.zip!a.csv"));
        Assert.Equal(1, await RowsOfAsync(exports, "LIST_20180911.zip!b.csv"));
        Assert.Equal(1, await RowsOfAsync(exports, "LIST_20180911.zip!c.csv"));
        Assert.Equal(7, await CountAsync($"SELECT count(*) FROM {Schema}.list"));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_fail_a_zip_whose_central_directory_is_damaged_by_name_and_load_the_other_files()
    {
        var exports = sftp.CreateExportDirectory();
        var zip = await ExportArchives.ZipAsync(("a.csv", Rows(1, 4)), ("b.csv", Rows(5, 3)));
        var damaged = zip.ToArray();
        damaged[BitConverter.ToInt32(damaged, damaged.Length - 22 + 16)] ^= 0xFF; // the first central directory entry's signature
        exports.WriteBytes("LIST_20180911.zip", damaged, T);
        exports.WriteReady("LIST_20180911.zip", "", T);
        exports.WriteBytes("LIST_20180912.zip", await ExportArchives.ZipAsync(("c.csv", Rows(8, 2)), ("d.csv", Rows(10, 1))), T.AddDays(1));
        exports.WriteReady("LIST_20180912.zip", "", T.AddDays(1));
        var config = WriteConfig(exports);

        var first = await SyncAsync(config);
        Assert.Equal(1, first.ExitCode);
        Assert.Contains($"{exports.PathOf("LIST_20180911.zip")}: corrupt or truncated archive: its central directory entry 1 of 2 is damaged", first.Report);
        Assert.Equal(2, await RowsOfAsync(exports, "LIST_20180912.zip!c.csv"));
        Assert.Equal(1, await RowsOfAsync(exports, "LIST_20180912.zip!d.csv"));
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM responsys_cluster.file_ledger WHERE connection_id = '{connection}' AND path LIKE '%LIST_20180911.zip%'"));

        exports.WriteBytes("LIST_20180911.zip", zip, T.AddMinutes(1));
        var second = await SyncAsync(config);
        Assert.True(second.ExitCode == 0, second.Report);
        Assert.Equal(4, await RowsOfAsync(exports, "LIST_20180911.zip!a.csv"));
        Assert.Equal(10, await CountAsync($"SELECT count(*) FROM {Schema}.list"));
    }
}
