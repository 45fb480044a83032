using System.Diagnostics;
using System.Text.Json.Nodes;
using Npgsql;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// File names a user did not mean, as a hostile or broken export could write them: a newline, an ANSI escape
/// sequence, bytes that are not UTF-8. Each is named honestly, escaped, in the report and logs; none reaches the
/// terminal raw, none is ignored without a word.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class FileNameTests(SftpServer sftp, PostgresServer postgres)
{
    private const int TestTimeout = 180_000;
    private static readonly DateTimeOffset T = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);
    private readonly string connection = "c" + Guid.NewGuid().ToString("N")[..10];

    [Fact(Timeout = TestTimeout)]
    public async Task Names_with_control_characters_or_bytes_that_are_not_utf8_are_named_escaped_and_never_ignored()
    {
        var exports = sftp.CreateExportDirectory();
        exports.Write("NL\nTABLE_20180911.csv", "ID\n1\n2\n", T);
        exports.WriteReady("NL\nTABLE_20180911.csv", "2", T);
        exports.Write("RED\u001b[31mTABLE_20180911.csv", "ID\n1\n", T);
        exports.WriteReady("RED\u001b[31mTABLE_20180911.csv", "1", T);
        exports.Write("BADX_20180911.csv", "ID\n1\n", T);
        exports.WriteReady("BADX_20180911.csv", "1", T);
        // .NET writes every name as UTF-8: the byte 0xFF goes in through the shell.
        await RenameToByteAsync(exports.Path, "BADX_20180911.csv", "BAD\\377_20180911.csv");
        await RenameToByteAsync(exports.Path, "BADX_20180911.ready", "BAD\\377_20180911.ready");
        var config = Path.Combine(Directory.CreateTempSubdirectory("rsx-names-").FullName, "connection.json");
        File.WriteAllText(config, new JsonObject
        {
            ["host"] = sftp.Host, ["port"] = sftp.Port, ["username"] = sftp.User, ["path"] = exports.Path,
            ["private_key_file"] = sftp.KeyPath("ed25519"), ["start_date"] = "2018-01-01T00:00:00Z", ["connection_id"] = connection,
        }.ToJsonString());

        await using var process = EngineProcess.Start(["sync", "--config", config, "--postgres", postgres.ConnectionString]);
        var (exitCode, stdout, stderr) = await process.WaitForExitAsync(TimeSpan.FromSeconds(90));

        Assert.True(exitCode == 1, stdout + stderr);
        // Nothing raw: no escape character, and a newline only where a line ends.
        Assert.DoesNotContain('\u001b', stdout + stderr);
        Assert.Matches(@"(?m)^NL\\nTABLE\s+1\s+0\s+0\s", stdout);
        Assert.Matches(@"(?m)^RED\\x1b\[31mTABLE\s+1\s+0\s+0\s", stdout);
        Assert.Contains("NL\\nTABLE_20180911.csv", stderr);
        Assert.Matches(@"(?m)^BAD\uFFFD\s+0\s+0\s+1\s", stdout);
        Assert.Contains("BAD\uFFFD_20180911.ready: the file name is not valid UTF-8", stdout);
        Assert.DoesNotContain("deleted after it was listed", stdout);
        Assert.Equal(2, await CountAsync($"SELECT count(*) FROM responsys_{connection}.nl_table"));

        var log = new StringWriter();
        Assert.Equal(0, await new Node.Commands.LogCommand(Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance)
            .RunAsync(Guid.Parse(stdout.Split(' ')[1]), postgres.ConnectionString, log, CancellationToken.None));
        Assert.DoesNotContain('\u001b', log.ToString());
        Assert.Contains("RED\\x1b[31mTABLE_20180911.csv", log.ToString());
        Assert.All(log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Matches(@"^[a-z]", line));
    }

    private static async Task RenameToByteAsync(string directory, string from, string printfName)
    {
        var start = new ProcessStartInfo("sh") { RedirectStandardError = true };
        foreach (var argument in new[] { "-c", $"cd \"$1\" && mv \"$2\" \"$(printf '{printfName}')\"", "sh", directory, from })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, error);
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(postgres.ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
