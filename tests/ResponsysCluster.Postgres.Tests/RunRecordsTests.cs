using ResponsysCluster.Domain.Ports;
using Npgsql;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Postgres.Tests;

[Collection(PostgresCollection.Name)]
public sealed class RunRecordsTests(PostgresServer server) : IAsyncLifetime
{
    private readonly string connectionId = "runs_" + Guid.NewGuid().ToString("N")[..12];
    private NpgsqlDataSource dataSource = null!;

    public async Task InitializeAsync()
    {
        dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        await ControlTables.EnsureAsync(dataSource, CancellationToken.None);
    }

    public async Task DisposeAsync() => await dataSource.DisposeAsync();

    private RunRecords Records() => new(dataSource, connectionId);

    private static TableReportRow Report(string table, int seed, params string[] errors) =>
        new(table, FilesLoaded: seed, FilesSkipped: seed + 1, FilesFailed: seed + 2, FilesWaiting: seed + 3, FilesAbandoned: seed + 4,
            RowsLoaded: 1_000_000_000_000L + seed, RowsReplaced: 2_000_000_000_000L + seed, Bytes: 3_000_000_000_000L + seed,
            Duration: TimeSpan.FromMilliseconds(1500 + seed), Errors: errors);

    [Fact]
    public async Task Should_name_the_node_that_wrote_each_step()
    {
        var runId = Guid.NewGuid();
        await new RunRecords(dataSource, connectionId, "node-a").StepAsync(runId, "connect", "connected");
        await new RunRecords(dataSource, connectionId, "node-b").StepAsync(runId, "file started", "1 byte", "LIST", "/x/LIST.csv");
        await Records().StepAsync(runId, "file finished", "1 row loaded", "LIST", "/x/LIST.csv");

        var nodes = await Sql.RowsAsync(dataSource, "SELECT step, node FROM responsys_cluster.extraction_log WHERE run_id = @r ORDER BY id", ("r", runId));

        Assert.Equal(new List<object?[]> { new object?[] { "connect", "node-a" }, new object?[] { "file started", "node-b" }, new object?[] { "file finished", null } }, nodes);
    }

    [Fact]
    public async Task Should_give_the_start_of_the_connection_s_latest_run_that_ended_as_its_last_start()
    {
        Assert.Null(await Records().LastRunStartAsync(CancellationToken.None));
        var (older, latest) = (Guid.NewGuid(), Guid.NewGuid());
        foreach (var run in new[] { older, latest })
        {
            await Records().StepAsync(run, "connect", "connected");
            await Records().SaveReportAsync(run, DateTimeOffset.UtcNow, [], [], CancellationToken.None);
        }
        await new RunRecords(dataSource, "other_" + connectionId).StepAsync(Guid.NewGuid(), "connect", "connected");

        var started = (DateTime)(await Sql.RowsAsync(dataSource, "SELECT started_at FROM responsys_cluster.runs WHERE run_id = @r", ("r", latest)))[0][0]!;
        Assert.Equal(new DateTimeOffset(started, TimeSpan.Zero), await Records().LastRunStartAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Should_give_no_last_start_when_the_latest_run_never_ended_and_mark_it_interrupted()
    {
        var (ended, cutShort) = (Guid.NewGuid(), Guid.NewGuid());
        await Records().StepAsync(ended, "connect", "connected");
        await Records().SaveReportAsync(ended, DateTimeOffset.UtcNow, [], [], CancellationToken.None);
        await Records().StepAsync(cutShort, "connect", "connected");

        Assert.Null(await Records().LastRunStartAsync(CancellationToken.None));
        var status = await Sql.RowsAsync(dataSource, "SELECT status, ended_at IS NOT NULL FROM responsys_cluster.runs WHERE run_id = @r", ("r", cutShort));
        Assert.Equal(["interrupted", true], status[0]);
        // Marked ended, it now counts: the schedule resumes from it.
        Assert.NotNull(await Records().LastRunStartAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Should_read_many_connections_last_starts_at_once_over_a_small_pool_without_sharing_a_session()
    {
        var ids = Enumerable.Range(0, 24).Select(i => $"{connectionId}_{i}").ToList();
        foreach (var id in ids) await new RunRecords(dataSource, id).StepAsync(Guid.NewGuid(), "connect", "connected");
        await using var small = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(server.ConnectionString) { MaxPoolSize = 2 }.ConnectionString);

        var starts = await Task.WhenAll(ids.Select(id => Task.Run(() => new RunRecords(small, id).LastRunStartAsync(CancellationToken.None))));

        Assert.All(starts, Assert.Null);
        Assert.Equal(24L, (await Sql.RowsAsync(dataSource, "SELECT count(*) FROM responsys_cluster.runs WHERE connection_id LIKE @c AND status = 'interrupted'",
            ("c", connectionId + "\\_%")))[0][0]);
    }

    [Fact]
    public async Task Should_take_the_first_logged_step_of_the_latest_run_when_runs_were_not_yet_recorded()
    {
        var (older, latest) = (Guid.NewGuid(), Guid.NewGuid());
        await Records().StepAsync(older, "connect", "connected");
        await Records().StepAsync(latest, "connect", "connected");
        await Records().StepAsync(latest, "list", "1 files");
        await Sql.RowsAsync(dataSource, "DELETE FROM responsys_cluster.runs WHERE connection_id = @c RETURNING 1", ("c", connectionId));

        var firstStep = (DateTime)(await Sql.RowsAsync(dataSource,
            "SELECT min(at) FROM responsys_cluster.extraction_log WHERE run_id = @r", ("r", latest)))[0][0]!;
        Assert.Equal(new DateTimeOffset(firstStep, TimeSpan.Zero), await Records().LastRunStartAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Should_read_a_runs_steps_back_oldest_first_with_their_table_path_and_message()
    {
        var runId = Guid.NewGuid();
        var records = Records();
        await records.StepAsync(runId, "connect", "connected to 127.0.0.1:22 as user");
        await records.StepAsync(runId, "files pending", "2 files pending", table: "CONTACT_LIST");
        await records.StepAsync(runId, "file started", "120 bytes", table: "CONTACT_LIST", path: "/x/20180911_CONTACT_LIST.csv");
        await records.StepAsync(runId, "file finished", "2 rows loaded", table: "CONTACT_LIST", path: "/x/20180911_CONTACT_LIST.csv");

        var log = await RunRecords.LogOfAsync(dataSource, runId, CancellationToken.None);

        Assert.Equal(
        [
            ("connect", null, null, "connected to 127.0.0.1:22 as user"),
            ("files pending", "CONTACT_LIST", null, "2 files pending"),
            ("file started", "CONTACT_LIST", "/x/20180911_CONTACT_LIST.csv", "120 bytes"),
            ("file finished", "CONTACT_LIST", "/x/20180911_CONTACT_LIST.csv", "2 rows loaded"),
        ], log);
    }

    [Fact]
    public async Task Should_read_back_only_the_steps_of_the_run_asked_for()
    {
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        var records = Records();
        await records.StepAsync(first, "list", "3 files in /x");
        await records.StepAsync(second, "list", "4 files in /y");
        await records.StepAsync(first, "tables", "tables found: LIST");

        var log = await RunRecords.LogOfAsync(dataSource, first, CancellationToken.None);

        Assert.Equal(["3 files in /x", "tables found: LIST"], log.Select(s => s.Message));
    }

    [Fact]
    public async Task Should_read_back_no_steps_for_a_run_that_logged_none()
    {
        await Records().StepAsync(Guid.NewGuid(), "connect", "connected");

        Assert.Empty(await RunRecords.LogOfAsync(dataSource, Guid.NewGuid(), CancellationToken.None));
    }

    [Fact]
    public async Task Should_log_each_step_under_the_connection_that_ran_it()
    {
        var runId = Guid.NewGuid();
        await Records().StepAsync(runId, "connect", "connected");

        var connections = await Sql.RowsAsync(dataSource, "SELECT connection_id FROM responsys_cluster.extraction_log WHERE run_id = @r", ("r", runId));

        Assert.Equal([connectionId], connections.Select(r => r[0]));
    }

    [Fact]
    public async Task Should_save_one_loading_report_row_per_table_with_every_figure()
    {
        var runId = Guid.NewGuid();
        var startedAt = new DateTimeOffset(2018, 9, 11, 11, 11, 2, TimeSpan.FromHours(2));

        await Records().SaveReportAsync(runId, startedAt,
            [Report("CONTACT_LIST", 10), Report("EMAIL_OPENED", 20, "/x/a.csv: record count mismatch", "/x/b.csv: bad CSV")], [], CancellationToken.None);

        var rows = await Sql.RowsAsync(dataSource, """
            SELECT responsys_table, connection_id, started_at, files_loaded, files_skipped, files_failed, files_waiting, files_abandoned,
                   rows_loaded, rows_replaced, bytes, seconds, errors
            FROM responsys_cluster.load_reports WHERE run_id = @r ORDER BY responsys_table
            """, ("r", runId));
        var startedUtc = new DateTime(2018, 9, 11, 9, 11, 2, DateTimeKind.Utc);
        Assert.Equal(2, rows.Count);
        Assert.Equal(["CONTACT_LIST", connectionId, startedUtc, 10, 11, 12, 13, 14, 1_000_000_000_010L, 2_000_000_000_010L, 3_000_000_000_010L, 1.51, Array.Empty<string>()], rows[0]);
        Assert.Equal(["EMAIL_OPENED", connectionId, startedUtc, 20, 21, 22, 23, 24, 1_000_000_000_020L, 2_000_000_000_020L, 3_000_000_000_020L, 1.52,
            new[] { "/x/a.csv: record count mismatch", "/x/b.csv: bad CSV" }], rows[1]);
    }

    [Fact]
    public async Task Should_keep_each_runs_loading_report_apart()
    {
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        await Records().SaveReportAsync(first, DateTimeOffset.UtcNow, [Report("LIST", 1)], [], CancellationToken.None);
        await Records().SaveReportAsync(second, DateTimeOffset.UtcNow, [Report("LIST", 5)], [], CancellationToken.None);

        var loaded = await Sql.RowsAsync(dataSource, "SELECT run_id, files_loaded FROM responsys_cluster.load_reports WHERE connection_id = @c ORDER BY files_loaded",
            ("c", connectionId));

        Assert.Equal(new List<object?[]> { new object?[] { first, 1 }, new object?[] { second, 5 } }, loaded);
    }

    [Fact]
    public async Task Should_open_a_run_record_at_its_first_step_and_end_it_with_its_report_failed_or_succeeded()
    {
        var (ok, bad, going) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        foreach (var run in new[] { ok, bad, going })
        {
            await Records().StepAsync(run, "connect", "connected");
            await Records().StepAsync(run, "list", "2 files");
        }
        await Records().SaveReportAsync(ok, DateTimeOffset.UtcNow, [Report("LIST", 1) with { FilesFailed = 0 }], [], CancellationToken.None);
        await Records().SaveReportAsync(bad, DateTimeOffset.UtcNow, [Report("LIST", 1) with { FilesFailed = 0 }], ["cannot connect"], CancellationToken.None);

        var runs = await Sql.RowsAsync(dataSource,
            "SELECT run_id, status, ended_at IS NOT NULL, errors FROM responsys_cluster.runs WHERE connection_id = @c", ("c", connectionId));

        Assert.Equal(3, runs.Count);
        Assert.Equal(["succeeded", true, Array.Empty<string>()], runs.Single(r => (Guid)r[0]! == ok)[1..]);
        Assert.Equal(["failed", true, new[] { "cannot connect" }], runs.Single(r => (Guid)r[0]! == bad)[1..]);
        Assert.Equal(["running", false, Array.Empty<string>()], runs.Single(r => (Guid)r[0]! == going)[1..]);
    }

    [Fact]
    public async Task Should_call_a_run_failed_when_one_of_its_tables_failed_a_file_though_the_run_itself_had_no_error()
    {
        var runId = Guid.NewGuid();

        await Records().SaveReportAsync(runId, DateTimeOffset.UtcNow,
            [Report("CONTACT_LIST", 1) with { FilesFailed = 0 }, Report("EMAIL_OPENED", 1) with { FilesFailed = 1 }], [], CancellationToken.None);

        Assert.Equal("failed", await Sql.ScalarAsync(dataSource, "SELECT status FROM responsys_cluster.runs WHERE run_id = @r", ("r", runId)));
    }

    [Fact]
    public async Task Should_name_the_node_in_a_run_record_its_report_opens_when_no_step_opened_it()
    {
        var runId = Guid.NewGuid();

        await new RunRecords(dataSource, connectionId, "node-b").SaveReportAsync(runId, DateTimeOffset.UtcNow, [], ["cannot connect"], CancellationToken.None);

        Assert.Equal(["node-b", "failed"], (await Sql.RowsAsync(dataSource, "SELECT node, status FROM responsys_cluster.runs WHERE run_id = @r", ("r", runId))).Single());
    }
}
