using Akka.Actor;
using Akka.TestKit.Xunit2;
using Microsoft.Extensions.Logging;
using ResponsysCluster.Domain.Ports;
using ResponsysCluster.Engine.Runs;
using ResponsysCluster.Engine.Tests.Fakes;

namespace ResponsysCluster.Engine.Tests;

public sealed class ExtractionLogActorTests : TestKit
{
    /// <summary>Run records whose writes fail as an unreachable database's would.</summary>
    private sealed class UnavailableRecords : IRunRecords
    {
        public Task StepAsync(Guid runId, string step, string message, string? table, string? path, CancellationToken cancellationToken) =>
            throw new DatabaseUnavailableException("PostgreSQL: connection refused");

        public Task SaveReportAsync(Guid runId, DateTimeOffset startedAt, IReadOnlyList<TableReportRow> rows, IReadOnlyList<string> runErrors,
            CancellationToken cancellationToken) =>
            throw new DatabaseUnavailableException("PostgreSQL: connection refused");

        public Task<DateTimeOffset?> LastRunStartAsync(CancellationToken cancellationToken) =>
            throw new DatabaseUnavailableException("PostgreSQL: connection refused");
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_write_steps_in_order_and_log_each_naming_its_file()
    {
        var records = new RecordingStore();
        var logger = new ListLogger();
        var runId = Guid.NewGuid();
        var log = Sys.ActorOf(ExtractionLogActor.Props(records, runId, logger));
        log.Tell(new ExtractionLogActor.Step("list", "3 files in /x"));
        log.Tell(new ExtractionLogActor.Step("file started", "10 bytes", "LIST", "/x/LIST_1.csv"));
        log.Tell(new ExtractionLogActor.Step("file failed", "bad CSV", "LIST", "/x/LIST_2.csv", Error: true));
        log.Tell(ExtractionLogActor.Flush.Instance);
        await ExpectMsgAsync<ExtractionLogActor.Flushed>();

        Assert.Equal(["list", "file started", "file failed"], records.Steps.Select(s => s.Step));
        Assert.Equal(("LIST", "/x/LIST_2.csv"), (records.Steps[2].Table, records.Steps[2].Path));
        Assert.Equal(
        [
            (LogLevel.Information, $"Run {runId} list: 3 files in /x"),
            (LogLevel.Information, $"Run {runId} file started /x/LIST_1.csv: 10 bytes"),
            (LogLevel.Error, $"Run {runId} file failed /x/LIST_2.csv: bad CSV"),
        ], logger.Lines);
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_log_a_step_the_database_did_not_take_and_go_on()
    {
        var logger = new ListLogger();
        var log = Sys.ActorOf(ExtractionLogActor.Props(new UnavailableRecords(), Guid.NewGuid(), logger));
        log.Tell(new ExtractionLogActor.Step("list", "3 files in /x"));
        log.Tell(new ExtractionLogActor.Step("tables", "tables found: LIST"));
        log.Tell(ExtractionLogActor.Flush.Instance);
        await ExpectMsgAsync<ExtractionLogActor.Flushed>();

        Assert.Equal(2, logger.Lines.Count(l => l.Level == LogLevel.Warning && l.Text.EndsWith("not written: PostgreSQL: connection refused")));
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_log_a_failed_step_of_the_whole_run_as_an_error()
    {
        var logger = new ListLogger();
        var runId = Guid.NewGuid();
        var log = Sys.ActorOf(ExtractionLogActor.Props(new RecordingStore(), runId, logger));
        log.Tell(new ExtractionLogActor.Step("run failed", "Could not connect", Error: true));
        log.Tell(ExtractionLogActor.Flush.Instance);
        await ExpectMsgAsync<ExtractionLogActor.Flushed>();

        Assert.Equal((LogLevel.Error, $"Run {runId} run failed: Could not connect"), Assert.Single(logger.Lines));
    }
}
