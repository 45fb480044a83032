using ResponsysCluster.Domain.Ports;
using Npgsql;
using ResponsysCluster.TestServers;
using RunLine = (System.Guid RunId, string ConnectionId, string? Node, System.DateTimeOffset StartedAt, System.DateTimeOffset? EndedAt, string Status,
    string Errors);

namespace ResponsysCluster.Postgres.Tests;

/// <summary>The runs, reports, logs and progress the management API reads back, as the run records wrote them.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RunHistoryTests(PostgresServer server) : IAsyncLifetime
{
    private readonly string connectionId = "history_" + Guid.NewGuid().ToString("N")[..12];
    private NpgsqlDataSource dataSource = null!;

    public async Task InitializeAsync()
    {
        dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        await ControlTables.EnsureAsync(dataSource, CancellationToken.None);
    }

    public async Task DisposeAsync() => await dataSource.DisposeAsync();

    private RunHistory History() => new(dataSource);

    private async Task RunAsync(string connection, Guid runId, string? node, DateTimeOffset startedAt, DateTimeOffset? endedAt, string status,
        params string[] errors) =>
        await Sql.RowsAsync(dataSource, """
            INSERT INTO responsys_cluster.runs (run_id, connection_id, node, started_at, ended_at, status, errors)
            VALUES (@r, @c, @n, @s, @e, @st, @er)
            """, ("r", runId), ("c", connection), ("n", (object?)node ?? DBNull.Value), ("s", startedAt.UtcDateTime),
            ("e", (object?)endedAt?.UtcDateTime ?? DBNull.Value), ("st", status), ("er", errors));

    private static RunLine Summary(RunSummary run) => (run.RunId, run.ConnectionId, run.Node, run.StartedAt, run.EndedAt, run.Status, string.Join("|", run.Errors));

    [Fact]
    public async Task Should_list_a_connections_latest_runs_newest_first_up_to_the_limit()
    {
        var start = new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);
        var (oldest, middle, newest) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await RunAsync(connectionId, middle, "node-b", start.AddHours(1), start.AddHours(1).AddMinutes(3), "failed", "cannot connect", "bad CSV");
        await RunAsync(connectionId, oldest, "node-a", start, start.AddMinutes(2), "succeeded");
        await RunAsync(connectionId, newest, null, start.AddHours(2), null, "running");
        await RunAsync("other_" + connectionId, Guid.NewGuid(), "node-a", start.AddHours(3), null, "running");

        var runs = await History().RunsOfAsync(connectionId, 2, CancellationToken.None);

        Assert.Equal(new RunLine[]
        {
            (newest, connectionId, null, start.AddHours(2), null, "running", ""),
            (middle, connectionId, "node-b", start.AddHours(1), start.AddHours(1).AddMinutes(3), "failed", "cannot connect|bad CSV"),
        }, runs.Select(Summary));
    }

    [Fact]
    public async Task Should_list_no_runs_for_a_connection_that_never_ran()
    {
        await RunAsync(connectionId, Guid.NewGuid(), "node-a", DateTimeOffset.UtcNow, null, "running");

        Assert.Empty(await History().RunsOfAsync("other_" + connectionId, 10, CancellationToken.None));
    }

    [Fact]
    public async Task Should_read_one_run_by_its_id_with_its_node_end_status_and_errors()
    {
        var start = new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);
        var (asked, other) = (Guid.NewGuid(), Guid.NewGuid());
        await RunAsync(connectionId, asked, "node-a", start, start.AddMinutes(1), "failed", "cannot connect");
        await RunAsync(connectionId, other, "node-b", start.AddHours(1), null, "running");

        var run = await History().RunAsync(asked, CancellationToken.None);

        Assert.NotNull(run);
        Assert.Equal<RunLine>((asked, connectionId, "node-a", start, start.AddMinutes(1), "failed", "cannot connect"), Summary(run));
    }

    [Fact]
    public async Task Should_read_no_run_for_an_id_that_was_never_recorded()
    {
        await RunAsync(connectionId, Guid.NewGuid(), "node-a", DateTimeOffset.UtcNow, null, "running");

        Assert.Null(await History().RunAsync(Guid.NewGuid(), CancellationToken.None));
    }

    [Fact]
    public async Task Should_read_a_runs_loading_report_one_line_per_table_in_table_order_with_every_figure()
    {
        var (runId, otherRun) = (Guid.NewGuid(), Guid.NewGuid());
        var records = new RunRecords(dataSource, connectionId);
        await records.SaveReportAsync(runId, DateTimeOffset.UtcNow,
        [
            new TableReportRow("EMAIL_OPENED", 1, 2, 3, 4, 5, 6_000_000_000L, 7_000_000_000L, 8_000_000_000L, TimeSpan.FromSeconds(2.5),
                ["/x/a.csv: record count mismatch", "/x/b.csv: bad CSV"]),
            new TableReportRow("CONTACT_LIST", 10, 20, 30, 40, 50, 60, 70, 80, TimeSpan.FromSeconds(0.25), []),
        ], [], CancellationToken.None);
        await records.SaveReportAsync(otherRun, DateTimeOffset.UtcNow, [new TableReportRow("AAA", 9, 9, 9, 9, 9, 9, 9, 9, TimeSpan.Zero, [])], [],
            CancellationToken.None);

        var report = await History().ReportAsync(runId, CancellationToken.None);

        Assert.Equal(
        [
            ("CONTACT_LIST", 10, 20, 30, 40, 50, 60L, 70L, 80L, 0.25, ""),
            ("EMAIL_OPENED", 1, 2, 3, 4, 5, 6_000_000_000L, 7_000_000_000L, 8_000_000_000L, 2.5, "/x/a.csv: record count mismatch|/x/b.csv: bad CSV"),
        ], report.Select(r => (r.Table, r.FilesLoaded, r.FilesSkipped, r.FilesFailed, r.FilesWaiting, r.FilesAbandoned, r.RowsLoaded, r.RowsReplaced,
            r.Bytes, r.Seconds, string.Join("|", r.Errors))));
    }

    [Fact]
    public async Task Should_count_a_runs_progress_from_its_pending_finished_skipped_and_failed_steps()
    {
        var (runId, otherRun) = (Guid.NewGuid(), Guid.NewGuid());
        var records = new RunRecords(dataSource, connectionId);
        await records.StepAsync(runId, "connect", "connected to 127.0.0.1:22 as user");
        await records.StepAsync(runId, "files pending", "3 files pending, 1 waiting for their ready file, 0 abandoned", "CONTACT_LIST");
        await records.StepAsync(runId, "files pending", "4 files pending, 0 waiting for their ready file, 0 abandoned", "EMAIL_OPENED");
        await records.StepAsync(runId, "file started", "120 bytes", "CONTACT_LIST", "/x/a.csv");
        await records.StepAsync(runId, "file finished", "25 rows loaded, 0 replaced in 0.1 s", "CONTACT_LIST", "/x/a.csv");
        await records.StepAsync(runId, "file finished", "100 rows loaded, 2 replaced in 0.3 s", "CONTACT_LIST", "/x/b.csv");
        await records.StepAsync(runId, "file skipped", "already loaded", "EMAIL_OPENED", "/x/c.csv");
        await records.StepAsync(runId, "file failed", "record count mismatch", "EMAIL_OPENED", "/x/d.csv");
        await records.StepAsync(otherRun, "files pending", "50 files pending", "CONTACT_LIST");
        await records.StepAsync(otherRun, "file finished", "7 rows loaded", "CONTACT_LIST", "/x/e.csv");
        await records.StepAsync(otherRun, "file failed", "bad CSV", "CONTACT_LIST", "/x/f.csv");

        var progress = await History().ProgressAsync(runId, CancellationToken.None);

        Assert.Equal(new RunProgress(FilesPending: 7, FilesDone: 3, FilesFailed: 1, RowsLoaded: 125), progress);
    }

    [Fact]
    public async Task Should_count_no_progress_for_a_run_that_logged_nothing()
    {
        await new RunRecords(dataSource, connectionId).StepAsync(Guid.NewGuid(), "files pending", "3 files pending", "CONTACT_LIST");

        Assert.Equal(new RunProgress(0, 0, 0, 0), await History().ProgressAsync(Guid.NewGuid(), CancellationToken.None));
    }

    [Fact]
    public async Task Should_read_a_runs_log_oldest_first_with_the_node_table_and_path_of_each_step()
    {
        var (runId, otherRun) = (Guid.NewGuid(), Guid.NewGuid());
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        await new RunRecords(dataSource, connectionId, "node-a").StepAsync(runId, "connect", "connected");
        await new RunRecords(dataSource, connectionId).StepAsync(otherRun, "connect", "connected elsewhere");
        await new RunRecords(dataSource, connectionId, "node-b").StepAsync(runId, "file started", "120 bytes", "CONTACT_LIST", "/x/a.csv");
        await new RunRecords(dataSource, connectionId).StepAsync(runId, "file finished", "2 rows loaded", "CONTACT_LIST");

        var log = await History().LogAsync(runId, CancellationToken.None);

        Assert.Equal(
        [
            ("node-a", "connect", null, null, "connected"),
            ("node-b", "file started", "CONTACT_LIST", "/x/a.csv", "120 bytes"),
            (null, "file finished", "CONTACT_LIST", null, "2 rows loaded"),
        ], log.Select(s => (s.Node, s.Step, s.Table, s.Path, s.Message)));
        Assert.All(log, s => Assert.InRange(s.At, before, DateTimeOffset.UtcNow));
        Assert.True(log[0].At <= log[1].At && log[1].At <= log[2].At, "the steps are not read back in the order they were written");
    }
}
