using System.Diagnostics.Metrics;
using Akka.Cluster;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Engine.Runs;
using ResponsysCluster.Node.Hosting;
using static ResponsysCluster.Engine.Files.FileJobProtocol;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// What <see cref="EngineMetrics"/> records for a file and a run, read with a listener on its meter (each test under
/// a connection of its own, since other tests record on the same meter meanwhile), and the members gauge's counts.
/// </summary>
public sealed class EngineMetricsTests : IDisposable
{
    private static readonly DateTimeOffset Ready = new(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);

    private readonly string connectionId = "metrics_" + Guid.NewGuid().ToString("N");
    private readonly MeterListener listener = new();
    private readonly List<(string Instrument, double Value, Dictionary<string, object?> Tags)> measurements = [];

    public EngineMetricsTests()
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == EngineMetrics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Keep(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Keep(instrument, value, tags));
        listener.Start();
    }

    public void Dispose() => listener.Dispose();

    private void Keep(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var kept = tags.ToArray().ToDictionary(t => t.Key, t => t.Value);
        if (!Equals(kept.GetValueOrDefault(EngineMetrics.ConnectionTag), connectionId)) return;
        lock (measurements) measurements.Add((instrument.Name, value, kept));
    }

    private Dictionary<string, double> Recorded()
    {
        lock (measurements) return measurements.GroupBy(m => m.Instrument).ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
    }

    private FileJob Job(string table = "LIST") => new(Guid.NewGuid(), connectionId, table,
        new RemoteFile("/x/LIST_20261129.csv", "LIST_20261129.csv", 1234, Ready.AddMinutes(-1)),
        new RemoteFile("/x/LIST_20261129.ready", "LIST_20261129.ready", 1, Ready), [], 1);

    [Fact]
    public void Should_count_a_loaded_file_its_rows_and_bytes_under_its_connection_and_table_and_its_lag_from_the_ready_file()
    {
        EngineMetrics.FileSucceeded(new FileJobSucceeded(Job(), false, 3, 0, [], TimeSpan.FromSeconds(1), RecordCountOutcome.MatchesRecords), Ready.AddMinutes(5));

        Assert.Equal(new Dictionary<string, double>
        {
            ["responsys.rows.loaded"] = 3, ["responsys.loaded"] = 1234, ["responsys.files.loaded"] = 1, ["responsys.file.commit_lag"] = 300,
        }, Recorded());
        lock (measurements) Assert.All(measurements, m => Assert.Equal("LIST", m.Tags[EngineMetrics.TableTag]));
    }

    [Fact]
    public void Should_count_nothing_for_a_file_already_in_the_ledger_or_an_empty_one_skipped()
    {
        EngineMetrics.FileSucceeded(new FileJobSucceeded(Job(), true, 0, 0, [], TimeSpan.Zero, null), Ready);
        EngineMetrics.FileSucceeded(new FileJobSucceeded(Job(), false, 0, 0, [], TimeSpan.Zero, null, "empty, as its ready file says"), Ready);

        Assert.Empty(Recorded());
    }

    [Fact]
    public void Should_count_a_failed_file_under_its_connection_and_table()
    {
        EngineMetrics.FileFailed(connectionId, "LIST");
        EngineMetrics.FileFailed(connectionId, "LIST");

        Assert.Equal(new Dictionary<string, double> { ["responsys.files.failed"] = 2 }, Recorded());
    }

    [Fact]
    public void Should_time_a_run_that_ended_but_not_one_refused_by_the_connections_lock()
    {
        EngineMetrics.RunEnded(new RunReport(connectionId, Guid.NewGuid(), Ready, TimeSpan.FromSeconds(42), [], []));
        EngineMetrics.RunEnded(new RunReport(connectionId, Guid.NewGuid(), Ready, TimeSpan.FromSeconds(1), [], ["in progress"], LockHeld: true));

        Assert.Equal(new Dictionary<string, double> { ["responsys.run.duration"] = 42 }, Recorded());
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(300, 300)]
    [InlineData(-60, 0)]
    public void Should_measure_the_lag_from_the_ready_file_to_the_commit_never_below_zero(int secondsAfterReady, double lag) =>
        Assert.Equal(lag, EngineMetrics.ReadyToCommitSeconds(Ready, Ready.AddSeconds(secondsAfterReady)));

    [Fact]
    public void Should_count_file_jobs_loading_until_each_is_done()
    {
        // Other tests load files meanwhile: this one sees only its own jobs come and go within what it holds.
        using (EngineMetrics.Loading(1000))
            Assert.True(EngineMetrics.FileJobsLoading >= 1000);
        Assert.True(EngineMetrics.FileJobsLoading < 1000);
    }

    [Fact]
    public void Should_count_members_by_status_reading_zero_for_a_status_no_member_has()
    {
        var counts = ClusterMemberCounts.ByStatus([MemberStatus.Up, MemberStatus.Up, MemberStatus.Leaving])
            .ToDictionary(m => (string)m.Tags[0].Value!, m => m.Value);

        Assert.Equal(2, counts["Up"]);
        Assert.Equal(1, counts["Leaving"]);
        Assert.Equal(0, counts["Joining"]);
        Assert.Equal(Enum.GetValues<MemberStatus>().Length, counts.Count);
    }
}
