using System.Text;
using ResponsysCluster.TestServers;
using Xunit.Abstractions;

namespace ResponsysCluster.Singer.Tests;

/// <summary>
/// "Discovery reads only the rows it samples": the bytes the SFTP server sends during discovery, counted by a TCP
/// proxy between the tap and the real sshd, against the size of the file sampled.
/// </summary>
[Collection(SftpCollection.Name)]
public sealed class DiscoveryReadTests(SftpServer server, ITestOutputHelper output) : IDisposable
{
    private readonly List<ExportDirectory> created = [];
    private static readonly DateTimeOffset T = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);
    /// <summary>
    /// The sample (about 100 kB), the CSV reader's buffers, the read-ahead they earned (as much again, at least
    /// 256 KiB), SSH.NET's read requests in flight (one more per read so far) and the SSH overhead: about 1.3 MB at
    /// worst; 0.17 to 0.73 MB measured. Before the read-ahead grew with reading, up to 8 MiB.
    /// </summary>
    private const long SampleBound = 2 * 1024 * 1024;

    /// <summary>Tens of megabytes a test: removed when it ends.</summary>
    public void Dispose()
    {
        foreach (var exports in created) Directory.Delete(exports.Path, recursive: true);
    }

    /// <summary>Rows of about 100 bytes: 1000 sampled rows are about 100 kB.</summary>
    private static byte[] Rows(int count)
    {
        var text = new StringBuilder("RIID_,EMAIL_ADDRESS_,CITY_,NOTES\n");
        for (var i = 1; i <= count; i++)
            text.Append(i).Append(",user").Append(i).Append("@example.com,Holtsville,").Append('x', 60).Append('\n');
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    [Fact(Timeout = Timeouts.Transfer)]
    public async Task Should_move_under_2_MiB_to_sample_1000_rows_of_a_20_or_a_40_MB_file()
    {
        var sampleBytes = Rows(1000).Length;
        foreach (var rows in new[] { 200_000, 400_000 })
        {
            var exports = server.CreateExportDirectory();
            created.Add(exports);
            var content = Rows(rows);
            exports.WriteBytes("CONTACT_LIST_20180911.csv", content, T);
            exports.WriteReady("CONTACT_LIST_20180911.csv", rows.ToString(), T);
            await using var proxy = new TcpCountingProxy(server.Port);
            var harness = new TapHarness(server, exports);
            harness.Config["port"] = proxy.Port;

            var run = await harness.DiscoverAsync();

            Assert.True(run.ExitCode == 0, run.Log);
            Assert.Contains("1000 records", run.Log);
            var bytes = proxy.BytesFromServer;
            output.WriteLine($"{rows} rows, {content.Length} bytes: the server sent {bytes} bytes during discovery; 1000 rows are {sampleBytes} bytes");
            Assert.True(bytes < SampleBound, $"discovery of a {content.Length}-byte file moved {bytes} bytes");
        }
    }
}
