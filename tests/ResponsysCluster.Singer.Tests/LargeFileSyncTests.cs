using System.Text;
using System.Text.Json;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Singer.Tests;

/// <summary>
/// Several exports larger than the read-ahead window, synced in one run over the tap's one SFTP connection: every
/// field of every row comes out as written (SFTP, read-ahead, CSV parsing and the message writer together), and no
/// NUL byte appears that the files did not hold.
/// </summary>
[Collection(SftpCollection.Name)]
public sealed class LargeFileSyncTests(SftpServer server) : IDisposable
{
    private readonly List<ExportDirectory> created = [];
    private static readonly DateTimeOffset T = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);
    private const int RowsPerFile = 60_000;

    /// <summary>Tens of megabytes a test: removed when it ends.</summary>
    public void Dispose()
    {
        foreach (var exports in created) Directory.Delete(exports.Path, recursive: true);
    }

    /// <summary>Row i of file f: text of varying length, every 97th with a quoted comma and newline.</summary>
    private static (string Id, string Note) Row(int file, int i)
    {
        var note = $"note {file}-{i} " + new string((char)('a' + i % 26), 40 + i % 90);
        if (i % 97 == 0) note += ", with a comma\nand a second line";
        return ($"{file}{i:D6}", note);
    }

    [Fact(Timeout = Timeouts.Transfer)]
    public async Task Should_emit_every_field_of_several_large_files_exactly_over_one_connection()
    {
        var exports = server.CreateExportDirectory();
        created.Add(exports);
        const int files = 3;
        for (var f = 1; f <= files; f++)
        {
            var csv = new StringBuilder("ID,NOTE\n");
            for (var i = 1; i <= RowsPerFile; i++)
            {
                var (id, note) = Row(f, i);
                csv.Append(id).Append(',').Append(note.Contains(',') ? $"\"{note}\"" : note).Append('\n');
            }
            var name = $"EVENTS_20180911_0{f}.csv";
            exports.Write(name, csv.ToString(), T.AddMinutes(f));
            exports.WriteReady(name, RowsPerFile.ToString(), T.AddMinutes(f));
            Assert.True(csv.Length > 5 * 1024 * 1024, "each file is larger than the 4 MiB read-ahead window");
        }
        var harness = new TapHarness(server, exports);
        var catalog = await harness.SelectedCatalogAsync();

        var run = await harness.SyncAsync(catalog);

        Assert.True(run.ExitCode == 0, run.Log);
        Assert.DoesNotContain("\\u0000", run.Stdout);
        var emitted = new List<(string File, string Id, string Note, long Line)>();
        foreach (var line in run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var message = JsonDocument.Parse(line);
            if (message.RootElement.GetProperty("type").GetString() != "RECORD") continue;
            var record = message.RootElement.GetProperty("record");
            emitted.Add((record.GetProperty("_sdc_source_file").GetString()!, record.GetProperty("ID").GetRawText(),
                record.GetProperty("NOTE").GetString()!, record.GetProperty("_sdc_source_lineno").GetInt64()));
        }
        var expected = Enumerable.Range(1, files).SelectMany(f => Enumerable.Range(1, RowsPerFile).Select(i =>
        {
            var (id, note) = Row(f, i);
            return (File: exports.PathOf($"EVENTS_20180911_0{f}.csv"), Id: id, Note: note, Line: (long)i + 1);
        })).ToList();
        Assert.Equal(expected.Count, emitted.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            if (expected[i] != emitted[i]) Assert.Fail($"record {i} differs: expected {expected[i]}, emitted {emitted[i]}");
        }
    }
}
