using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Npgsql;
using Xunit.Abstractions;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// Three <c>responsys-cluster node</c> processes on 127.0.0.1 sharing their connections (one directory of
/// connection files, as containers mounting one volume would): file work spreads over the nodes, and a node
/// SIGKILLed while it copies leaves every row exactly once after the others finish its work. Each node has one
/// file worker (<c>RSX_NODE_WORKERS=1</c>), so that jobs in flight at once are on different nodes.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed partial class ClusterWorkTests(SftpServer sftp, PostgresServer postgres, ITestOutputHelper output) : IAsyncLifetime
{
    private const int TestTimeout = 300_000;
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);
    private static readonly DateTimeOffset T = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);

    private readonly string connectionsDirectory = Directory.CreateTempSubdirectory("rsx-cluster-work-").FullName;
    private readonly string prefix = "w" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<EngineProcess> nodes = [];

    [GeneratedRegex(@"Node (?<name>\S+) at akka\.tcp://responsys-cluster@127\.0\.0\.1:(?<port>\d+), health endpoints on (?<http>http://127\.0\.0\.1:\d+)")]
    private static partial Regex Started();

    private ClusterDatabase database = null!;

    public async Task InitializeAsync() => database = await ClusterDatabase.CreateAsync(postgres.ConnectionString);

    public async Task DisposeAsync()
    {
        foreach (var node in nodes) await node.DisposeAsync();
        Directory.Delete(connectionsDirectory, recursive: true);
        await database.DisposeAsync();
    }

    /// <summary>A connection file in the shared directory, on its own export directory, run every 2 s, 3 downloads at once.</summary>
    private (string Id, ExportDirectory Exports) AddConnection(int index)
    {
        var id = $"{prefix}_{index}";
        var exports = sftp.CreateExportDirectory();
        var json = new JsonObject
        {
            ["host"] = sftp.Host, ["port"] = sftp.Port, ["username"] = sftp.User, ["path"] = exports.Path,
            ["private_key_file"] = sftp.KeyPath("ed25519"), ["start_date"] = "2018-01-01T00:00:00Z", ["connection_id"] = id,
            ["max_concurrent_downloads"] = 3, ["schedule"] = new JsonObject { ["every"] = "2s" },
        };
        File.WriteAllText(Path.Combine(connectionsDirectory, id + ".json"), json.ToJsonString());
        return (id, exports);
    }

    /// <summary><paramref name="files"/> event files of <paramref name="rows"/> rows each, every one with its ready file.</summary>
    private static void WriteEvents(ExportDirectory exports, int files, int rows)
    {
        for (var file = 1; file <= files; file++)
        {
            var csv = new StringBuilder("ID,EMAIL,NOTE\n");
            for (var row = 1; row <= rows; row++) csv.Append(row).Append(",user").Append(row).Append("@example.com,\"note ").Append(file).Append("\"\n");
            var name = $"EVENTS_201809{10 + file:00}.csv";
            exports.Write(name, csv.ToString(), T.AddMinutes(file));
            exports.WriteReady(name, rows.ToString(), T.AddMinutes(file));
        }
    }

    private async Task<(EngineProcess Node, Match Started)> StartNodeAsync(string name, string? seed, string workers = "1", string? dbConnections = null)
    {
        List<string> arguments = ["node", "--postgres", database.ConnectionString, "--port", "0", "--http", "127.0.0.1:0", "--name", name];
        if (seed is not null) arguments.AddRange(["--seeds", seed]);
        var node = EngineProcess.Start(arguments, new Dictionary<string, string?>
        {
            ["RSX_CONNECTIONS"] = connectionsDirectory, ["RSX_NODE_WORKERS"] = workers, ["RSX_NODE_DB_CONNECTIONS"] = dbConnections,
        });
        nodes.Add(node);
        var started = await node.WaitForLogAsync(Started(), StartLimit);
        return (node, started);
    }

    /// <summary>Three nodes, the first forming the cluster, each ready (an Up member with PostgreSQL answering).</summary>
    private async Task<List<(EngineProcess Node, Match Started)>> StartClusterAsync()
    {
        var first = await StartNodeAsync(prefix + "-a", null);
        var seed = "127.0.0.1:" + first.Started.Groups["port"].Value;
        List<(EngineProcess, Match)> cluster = [first, await StartNodeAsync(prefix + "-b", seed), await StartNodeAsync(prefix + "-c", seed)];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        foreach (var (_, started) in cluster)
        {
            var deadline = DateTime.UtcNow + StartLimit;
            while ((await http.GetAsync(started.Groups["http"].Value + "/health/ready")).StatusCode != HttpStatusCode.OK)
            {
                Assert.True(DateTime.UtcNow < deadline, $"node {started.Groups["name"].Value} was not ready within {StartLimit.TotalSeconds} s");
                await Task.Delay(200);
            }
        }
        // Each node hears of the other two before any file appears, so that every node's workers are subscribed.
        foreach (var (node, _) in cluster)
            for (var up = 0; up < 3; up++)
                await node.WaitForLogAsync(new Regex($"(?s)(Cluster member up: .*){{{up + 1}}}"), StartLimit);
        return cluster;
    }

    private async Task<long> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    private Task<long> LedgerRowsAsync(string connection) =>
        ScalarAsync("SELECT count(*) FROM responsys_cluster.file_ledger WHERE connection_id = @c", ("c", connection));

    private async Task WaitForLedgerAsync(string connection, long files, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (await LedgerRowsAsync(connection) < files)
        {
            Assert.True(DateTime.UtcNow < deadline, $"connection {connection} had {await LedgerRowsAsync(connection)} of {files} files loaded after {limit.TotalSeconds} s");
            await Task.Delay(500);
        }
    }

    private async Task WaitForReportedFilesAsync(string connection, long files, TimeSpan limit)
    {
        const string reported = "SELECT coalesce(sum(files_loaded), 0) FROM responsys_cluster.load_reports WHERE connection_id = @c";
        var deadline = DateTime.UtcNow + limit;
        while (await ScalarAsync(reported, ("c", connection)) < files)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the runs of connection {connection} did not report {files} files loaded within {limit.TotalSeconds} s");
            await Task.Delay(500);
        }
    }

    /// <summary>Every row of the connection's files is in its table once: as many rows as distinct (file, line) pairs, as many as were written.</summary>
    private async Task AssertEveryRowOnceAsync(string connection, long rows)
    {
        var table = $"responsys_{connection}.events";
        Assert.Equal(rows, await ScalarAsync($"SELECT count(*) FROM {table}"));
        Assert.Equal(rows, await ScalarAsync($"SELECT count(DISTINCT (_sdc_source_file, _sdc_source_lineno)) FROM {table}"));
    }

    private async Task<List<string>> LoadedByAsync(IEnumerable<string> connections)
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        await using var command = dataSource.CreateCommand(
            "SELECT DISTINCT loaded_by FROM responsys_cluster.file_ledger WHERE connection_id = ANY(@c) ORDER BY 1");
        command.Parameters.AddWithValue("c", connections.ToArray());
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) names.Add(reader.GetString(0));
        return names;
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_spread_the_files_of_several_connections_over_the_nodes_and_load_every_row_once()
    {
        var connections = new[] { AddConnection(1), AddConnection(2) };
        await StartClusterAsync();

        foreach (var (_, exports) in connections) WriteEvents(exports, files: 6, rows: 20_000);
        foreach (var (id, _) in connections) await WaitForLedgerAsync(id, 6, TimeSpan.FromSeconds(120));

        foreach (var (id, _) in connections) await AssertEveryRowOnceAsync(id, 6 * 20_000);
        var loadedBy = await LoadedByAsync(connections.Select(c => c.Id));
        Assert.True(loadedBy.Count >= 2, $"all files were loaded by {string.Join(", ", loadedBy)}");
        Assert.All(loadedBy, name => Assert.StartsWith(prefix + "-", name));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_open_no_more_sessions_than_the_node_database_budget_and_load_one_file_at_a_time_with_the_smallest_budget_whatever_its_workers()
    {
        // Four workers and three downloads allowed, but the smallest budget, three sessions: the run locks' session,
        // one for loads, one for the runs' writes and the journal.
        var (connection, exports) = AddConnection(1);
        var name = prefix + "-budget";
        await StartNodeAsync(name, null, workers: "4", dbConnections: "3");
        // Files large enough for each COPY to last a good part of a second, so that the sampling below sees them.
        WriteEvents(exports, files: 6, rows: 150_000);

        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        await using var sessions = dataSource.CreateCommand("""
            SELECT count(*), count(*) FILTER (WHERE state = 'active' AND query ILIKE 'COPY%')
            FROM pg_stat_activity WHERE application_name = @name
            """);
        sessions.Parameters.AddWithValue("name", "responsys-cluster:" + name);
        long mostSessions = 0, mostCopies = 0;
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (await LedgerRowsAsync(connection) < 6)
        {
            Assert.True(DateTime.UtcNow < deadline, $"connection {connection} had {await LedgerRowsAsync(connection)} of 6 files loaded after 120 s");
            await using (var reader = await sessions.ExecuteReaderAsync())
            {
                await reader.ReadAsync();
                mostSessions = Math.Max(mostSessions, reader.GetInt64(0));
                mostCopies = Math.Max(mostCopies, reader.GetInt64(1));
            }
            await Task.Delay(20);
        }

        output.WriteLine($"most sessions seen at once: {mostSessions}, most COPYs: {mostCopies}");
        Assert.Equal(1, mostCopies);
        Assert.InRange(mostSessions, 2, 3);
        await AssertEveryRowOnceAsync(connection, 6 * 150_000);
    }

    /// <summary>The name of a node whose session is running a COPY now (a file load mid-way), waiting for one.</summary>
    private async Task<string> NodeCopyingAsync(TimeSpan limit)
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            await using var command = dataSource.CreateCommand("""
                SELECT substr(application_name, length('responsys-cluster:') + 1) FROM pg_stat_activity
                WHERE application_name LIKE @names AND state = 'active' AND query ILIKE 'COPY%' LIMIT 1
                """);
            command.Parameters.AddWithValue("names", $"responsys-cluster:{prefix}-%");
            if (await command.ExecuteScalarAsync() is string name) return name;
            Assert.True(DateTime.UtcNow < deadline, $"no node was seen copying within {limit.TotalSeconds} s");
            await Task.Delay(50);
        }
    }

    /// <summary>Three nodes loading six files of 150,000 rows of one connection, and the node seen copying one of them.</summary>
    private async Task<(string Connection, List<(EngineProcess Node, Match Started)> Cluster, (EngineProcess Node, Match Started) Copying)> ClusterCopyingAsync()
    {
        var (connection, exports) = AddConnection(1);
        var cluster = await StartClusterAsync();
        WriteEvents(exports, files: 6, rows: 150_000);
        var copying = await NodeCopyingAsync(TimeSpan.FromSeconds(60));
        return (connection, cluster, cluster.Single(n => n.Started.Groups["name"].Value == copying));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_finish_the_work_of_a_node_killed_while_it_copies_on_the_others_with_every_row_once()
    {
        var (connection, cluster, victim) = await ClusterCopyingAsync();
        var victimName = victim.Started.Groups["name"].Value;

        // SIGKILL the node seen copying: its transaction never commits, its job runs again elsewhere.
        var killedAt = DateTime.UtcNow;
        await victim.Node.KillAsync();
        // Usually about 25 s here; a busy CI machine once took over a minute (see the issue's note).
        await WaitForLedgerAsync(connection, 6, TimeSpan.FromSeconds(150));
        var recovered = DateTime.UtcNow - killedAt;
        output.WriteLine($"{victimName} killed mid-COPY; every file loaded {recovered.TotalSeconds:F1} s later");

        await AssertEveryRowOnceAsync(connection, 6 * 150_000);
        var survivors = cluster.Where(n => n != victim).Select(n => n.Started.Groups["name"].Value).ToList();
        Assert.Subset(survivors.Append(victimName).ToHashSet(), (await LoadedByAsync([connection])).ToHashSet());

        // The next run finds nothing pending: the bookmarks are right, not only the ledger.
        var done = await DatabaseNowAsync();
        Assert.StartsWith("0 files pending", await NextPendingStepAsync(connection, done, TimeSpan.FromSeconds(30)));
        Assert.Equal(6, await LedgerRowsAsync(connection));
        await AssertEveryRowOnceAsync(connection, 6 * 150_000);

        // The killed node comes back under its name and rejoins.
        var (_, restarted) = await StartNodeAsync(victimName, "127.0.0.1:" + cluster.First(n => n != victim).Started.Groups["port"].Value);
        var address = Regex.Escape($"akka.tcp://responsys-cluster@127.0.0.1:{restarted.Groups["port"].Value}");
        foreach (var (node, _) in cluster.Where(n => n != victim))
            await node.WaitForLogAsync(new Regex("Cluster member up: " + address), StartLimit);
    }

    /// <summary>The database's clock now, in microseconds of Unix time.</summary>
    private Task<long> DatabaseNowAsync() => ScalarAsync("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint");

    /// <summary>
    /// The "files pending" step of the first run that listed the connection's files after <paramref name="afterMicros"/>
    /// (Unix time), waiting for one at most <paramref name="limit"/>.
    /// </summary>
    private async Task<string> NextPendingStepAsync(string connection, long afterMicros, TimeSpan limit)
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            await using var command = dataSource.CreateCommand("""
                SELECT message FROM responsys_cluster.extraction_log
                WHERE connection_id = @c AND step = 'files pending' AND at > to_timestamp(@after / 1000000.0) ORDER BY id LIMIT 1
                """);
            command.Parameters.AddWithValue("c", connection);
            command.Parameters.AddWithValue("after", afterMicros);
            if (await command.ExecuteScalarAsync() is string message) return message;
            Assert.True(DateTime.UtcNow < deadline, $"no run of connection {connection} listed its files within {limit.TotalSeconds} s");
            await Task.Delay(500);
        }
    }

    private Task<long> FailedStepsAsync(string connection) =>
        ScalarAsync("SELECT count(*) FROM responsys_cluster.extraction_log WHERE connection_id = @c AND step = 'file failed'", ("c", connection));

    [Fact(Timeout = TestTimeout)]
    public async Task Should_hand_the_work_of_a_node_that_leaves_gracefully_during_a_run_to_the_others_with_no_file_failed()
    {
        var (connection, _, leaver) = await ClusterCopyingAsync();
        leaver.Node.Terminate();
        var (exitCode, _, log) = await leaver.Node.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, exitCode);
        Assert.DoesNotContain("file failed", log, StringComparison.Ordinal);

        await WaitForLedgerAsync(connection, 6, TimeSpan.FromSeconds(90));
        await AssertEveryRowOnceAsync(connection, 6 * 150_000);
        Assert.Equal(0, await FailedStepsAsync(connection));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Should_resume_from_the_bookmarks_after_a_full_cluster_restart_and_reload_nothing()
    {
        var (connection, exports) = AddConnection(1);
        var cluster = await StartClusterAsync();
        WriteEvents(exports, files: 3, rows: 1_000);
        // The report is saved once the bookmarks confirmed every file: stopping after the ledger alone could cut that short.
        await WaitForReportedFilesAsync(connection, 3, TimeSpan.FromSeconds(60));
        foreach (var (node, _) in cluster) node.Terminate();
        foreach (var (node, _) in cluster) Assert.Equal(0, (await node.WaitForExitAsync(TimeSpan.FromSeconds(60))).ExitCode);

        var stopped = await DatabaseNowAsync();
        await StartClusterAsync();
        Assert.StartsWith("0 files pending", await NextPendingStepAsync(connection, stopped, TimeSpan.FromSeconds(60)));
        Assert.Equal(3, await LedgerRowsAsync(connection));
        await AssertEveryRowOnceAsync(connection, 3 * 1_000);
    }
}
