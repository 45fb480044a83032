using System.Text.Json.Nodes;
using Npgsql;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// The engine never shows a secret: not in the loading report (stdout), the log (stderr) or the extraction log,
/// whether the login works or is refused. Runs the real executable, with its real logging.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class SecretsTests(SftpServer sftp, PostgresServer postgres)
{
    private static readonly DateTimeOffset T = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);
    private readonly string connection = "k" + Guid.NewGuid().ToString("N")[..10];

    private string WriteConfig(JsonObject credentials)
    {
        var exports = sftp.CreateExportDirectory();
        exports.Write("LIST_20180911.csv", "ID,EMAIL\n1,a@example.com\n2,b@example.com\n", T);
        exports.WriteReady("LIST_20180911.csv", "2", T);
        var json = new JsonObject
        {
            ["host"] = sftp.Host, ["port"] = sftp.Port, ["username"] = sftp.User, ["path"] = exports.Path,
            ["start_date"] = "2018-01-01T00:00:00Z", ["connection_id"] = connection,
        };
        foreach (var (key, value) in credentials) json[key] = value?.DeepClone();
        var path = Path.Combine(Directory.CreateTempSubdirectory("rsx-secrets-").FullName, "connection.json");
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    private async Task<(int ExitCode, string Everything)> SyncAsync(string config)
    {
        await using var process = EngineProcess.Start(["sync", "--config", config, "--postgres", postgres.ConnectionString]);
        var (exitCode, stdout, stderr) = await process.WaitForExitAsync(TimeSpan.FromSeconds(120));
        await using var dataSource = NpgsqlDataSource.Create(postgres.ConnectionString);
        await using var command = dataSource.CreateCommand(
            $"SELECT coalesce(string_agg(step || ' ' || coalesce(path, '') || ' ' || message, E'\\n' ORDER BY id), '') FROM responsys_cluster.extraction_log WHERE connection_id = '{connection}'");
        var extractionLog = (string)(await command.ExecuteScalarAsync())!;
        Assert.NotEqual("", extractionLog);
        return (exitCode, string.Join("\n", stdout, stderr, extractionLog));
    }

    /// <summary>The key's base64 lines: any one of them in the output would be key text.</summary>
    private static IEnumerable<string> KeyLines(string keyText) =>
        keyText.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(line => !line.StartsWith("-----", StringComparison.Ordinal));

    [Fact(Timeout = 180_000)]
    public async Task Should_show_no_password_passphrase_or_key_text_when_the_login_works()
    {
        var keyText = File.ReadAllText(sftp.KeyPath("rsa_passphrase"));
        var (exitCode, everything) = await SyncAsync(WriteConfig(new JsonObject
        {
            ["password"] = sftp.Password, ["private_key"] = keyText, ["private_key_passphrase"] = sftp.Passphrase,
        }));
        Assert.True(exitCode == 0, everything);
        Assert.Contains("file finished", everything);
        Assert.DoesNotContain(sftp.Password, everything);
        Assert.DoesNotContain(sftp.Passphrase, everything);
        Assert.All(KeyLines(keyText), line => Assert.DoesNotContain(line, everything));
    }

    [Fact(Timeout = 180_000)]
    public async Task Should_show_no_password_when_the_login_is_refused()
    {
        var wrong = "wrong-" + Guid.NewGuid().ToString("N");
        var (exitCode, everything) = await SyncAsync(WriteConfig(new JsonObject { ["password"] = wrong }));
        Assert.Equal(2, exitCode); // a refused login is a configuration or connection problem
        Assert.Contains("run failed", everything);
        Assert.DoesNotContain(wrong, everything);
        Assert.DoesNotContain(sftp.Password, everything);
    }
}
