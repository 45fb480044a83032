using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ResponsysCluster.Bench.Generation;
using ResponsysCluster.Bench.Loads;
using ResponsysCluster.Bench.Sftp;

// responsys-bench: test data and measurements for bench/tap-benchmark.sh. Results go to stdout as
// key=value pairs on one line, so the script can read them without parsing prose.

var rows = new Option<long?>("--rows") { Description = "Number of data rows" };
var targetBytes = new Option<long?>("--target-bytes") { Description = "Write rows until the file holds this many bytes (instead of --rows)" };
var output = new Option<string>("--out") { Description = "File to write", Required = true };
var seed = new Option<ulong>("--seed") { Description = "Seed: the same seed gives the same bytes", DefaultValueFactory = _ => 20181001 };
var ready = new Option<bool>("--ready") { Description = "Also write NAME.ready holding the row count" };
var notesBytes = new Option<int>("--notes-bytes")
{
    Description = "Append a LONG_NOTES column of this many printable characters to every row (default 0: none)",
};
var fileCount = new Option<int>("--files")
{
    Description = "Write this many files of --rows rows each, a day apart: --out names the first and starts with yyyyMMdd",
    DefaultValueFactory = _ => 1,
};

var contacts = new Command("contacts", "A Responsys profile list export (contact list CSV), about 225 bytes a row")
{
    rows, targetBytes, output, seed, ready, notesBytes, fileCount,
};
contacts.SetAction(parse =>
{
    var rowCount = parse.GetValue(rows);
    var size = parse.GetValue(targetBytes);
    if (rowCount is null == size is null)
    {
        Console.Error.WriteLine("Give exactly one of --rows and --target-bytes.");
        return 2;
    }
    if (rowCount < 0 || size <= 0)
    {
        Console.Error.WriteLine("--rows must be 0 or more and --target-bytes positive.");
        return 2;
    }
    var files = parse.GetValue(fileCount);
    var longNotes = parse.GetValue(notesBytes);
    if (files < 1 || longNotes < 0 || (files > 1 && rowCount is null))
    {
        Console.Error.WriteLine("--files must be 1 or more (with --rows when above 1), --notes-bytes 0 or more.");
        return 2;
    }
    var clock = Stopwatch.StartNew();
    IReadOnlyList<GeneratedFile> written = files == 1
        ? [ExportFiles.WriteContactList(parse.GetValue(output)!, rowCount, size, parse.GetValue(seed), longNotesBytes: longNotes)]
        : ExportFiles.WriteContactLists(parse.GetValue(output)!, files, rowCount!.Value, parse.GetValue(seed), longNotes);
    if (parse.GetValue(ready))
    {
        foreach (var file in written) ExportFiles.WriteReadyFile(file);
    }
    var seconds = clock.Elapsed.TotalSeconds;
    // With several files: rows and bytes of all of them, path of the first.
    var totalRows = written.Sum(file => file.Rows);
    var totalBytes = written.Sum(file => file.Bytes);
    Console.WriteLine(Invariant($"rows={totalRows} bytes={totalBytes} seconds={seconds:F2} bytes_per_row={(totalRows == 0 ? 0 : totalBytes / (double)totalRows):F1} ") +
        Invariant($"files={written.Count} path={written[0].Path}"));
    return 0;
});

var sampleDirectory = new Argument<string>("DIR") { Description = "Directory to write the exports into" };
var sampleRows = new Option<long>("--rows") { Description = "Profiles in the first day's contact list", DefaultValueFactory = _ => 1000 };
var sample = new Command("sample", "Two days of a small Responsys Connect drop: contact lists and event feeds, with ready files")
{
    sampleDirectory, sampleRows, seed,
};
sample.SetAction(parse =>
{
    var count = parse.GetValue(sampleRows);
    if (count < 1)
    {
        Console.Error.WriteLine("--rows must be at least 1.");
        return 2;
    }
    foreach (var file in SampleExportSet.Write(parse.GetValue(sampleDirectory)!, count, parse.GetValue(seed)))
        Console.WriteLine(Invariant($"{Path.GetFileName(file.Path)}: {file.Rows} rows, {file.Bytes} bytes"));
    return 0;
});

var generate = new Command("generate", "Write realistic Responsys exports") { contacts, sample };

var config = new Option<string>("--config") { Description = "Connection config JSON (as for responsys-cluster tap)", Required = true };
var fileName = new Option<string>("--file") { Description = "Name of the file in the configured path", Required = true };
var sftpRead = new Command("sftp-read", "Read one remote file end to end through the SFTP adapter and report the throughput")
{
    config, fileName,
};
sftpRead.SetAction(async (parse, cancellationToken) =>
{
    var result = await SftpReadBenchmark.RunAsync(parse.GetValue(config)!, parse.GetValue(fileName)!, cancellationToken);
    Console.WriteLine(
        Invariant($"bytes={result.Bytes} connect_seconds={result.ConnectSeconds:F3} read_seconds={result.ReadSeconds:F3} ") +
        Invariant($"total_seconds={result.TotalSeconds:F3} read_mib_per_s={SftpReadResult.MibPerSecond(result.Bytes, result.ReadSeconds):F1} ") +
        Invariant($"total_mib_per_s={SftpReadResult.MibPerSecond(result.Bytes, result.TotalSeconds):F1}"));
    return 0;
});

var postgres = new Option<string>("--postgres") { Description = "PostgreSQL connection string", Required = true };
var localFile = new Option<string>("--file") { Description = "Local export file to load", Required = true };
var connectionId = new Option<string>("--connection-id") { Description = "Connection id: its ledger, and its target schema responsys_ID", Required = true };
var design = new Option<TableDesign>("--design") { Description = "How the target table is indexed", DefaultValueFactory = _ => TableDesign.Brin };
var load = new Command("load", "Load one local export file through the product's FileVersionLoader and report the time of the load alone")
{
    postgres, localFile, connectionId, design,
};
load.SetAction(async (parse, cancellationToken) =>
{
    var result = await LoadBenchmark.RunAsync(parse.GetValue(postgres)!, parse.GetValue(localFile)!, parse.GetValue(connectionId)!, parse.GetValue(design),
        cancellationToken);
    Console.WriteLine(Invariant($"rows={result.Rows} widened={result.ColumnsWidened} infer_seconds={result.InferSeconds:F3} load_seconds={result.LoadSeconds:F3}"));
    return 0;
});

var clockCalls = new Option<int>("--calls") { Description = "Calls to time", DefaultValueFactory = _ => 10_000_000 };
var clock = new Command("clock", "Nanoseconds one DateTime.UtcNow takes (what a per-row time costs each row)") { clockCalls };
clock.SetAction(parse =>
{
    LoadBenchmark.ClockNanoseconds(100_000);
    Console.WriteLine(Invariant($"utcnow_ns={LoadBenchmark.ClockNanoseconds(parse.GetValue(clockCalls)):F1}"));
    return 0;
});


var connections = new Option<string>("--connections") { Description = "kept (one per worker, from SftpConnectionPool) or fresh (one per file)", Required = true };
var workers = new Option<int>("--workers") { Description = "Files read at once, as max_concurrent_downloads", DefaultValueFactory = _ => 2 };
var sftpFiles = new Command("sftp-files", "Read every data file of the configured directory through the CSV reader, over kept or fresh connections")
{
    config, connections, workers,
};
sftpFiles.SetAction(async (parse, cancellationToken) =>
{
    var mode = parse.GetValue(connections);
    if (mode is not ("kept" or "fresh") || parse.GetValue(workers) < 1)
    {
        Console.Error.WriteLine("--connections is kept or fresh; --workers at least 1.");
        return 2;
    }
    var result = await SftpManyFilesBenchmark.RunAsync(parse.GetValue(config)!, mode == "kept", parse.GetValue(workers), cancellationToken);
    Console.WriteLine(
        Invariant($"files={result.Files} bytes={result.Bytes} records={result.Records} connections={result.ConnectionsOpened} ") +
        Invariant($"seconds={result.Seconds:F3} files_per_s={result.Files / result.Seconds:F1} mib_per_s={SftpReadResult.MibPerSecond(result.Bytes, result.Seconds):F1}"));
    return 0;
});

var root = new RootCommand("Benchmarks and test data for ResponsysCluster") { generate, sftpRead, sftpFiles, load, clock };
return await root.Parse(args).InvokeAsync();

static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
