using System.Globalization;
using System.Text.Json.Nodes;

namespace ResponsysCluster.Node.Ctl;

/// <summary><c>ctl sync</c> (with <c>--wait</c>, its progress until it ends), <c>runs</c>, <c>report</c> and <c>log</c>.</summary>
public sealed partial class CtlCommand
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RecordLimit = TimeSpan.FromSeconds(60);

    /// <summary>Starts a run; with <paramref name="wait"/>, shows its progress on stderr until it ends and prints its report (exit 1 when it failed).</summary>
    public Task<int> SyncAsync(string id, IReadOnlyList<string>? tables, bool wait, CancellationToken cancellationToken) => RunAsync(async api =>
    {
        var body = tables is null ? null : new JsonObject { ["tables"] = new JsonArray([.. tables.Select(t => JsonValue.Create(t))]) }.ToJsonString();
        var started = await api.PostAsync("connections/" + Uri.EscapeDataString(id) + "/runs", body, cancellationToken);
        var runId = Text(started, "run_id");
        if (!wait)
        {
            Print(started, () => $"run {runId} of connection {id} started\n");
            return;
        }
        if (!options.Json) await errors.WriteLineAsync($"run {runId} of connection {id} started");
        JsonNode run;
        var recordDeadline = DateTime.UtcNow + RecordLimit;
        while (true)
        {
            try
            {
                run = (await api.GetAsync($"runs/{runId}", cancellationToken))!;
            }
            catch (ApiException ex) when (ex.Status == System.Net.HttpStatusCode.NotFound && DateTime.UtcNow < recordDeadline)
            {
                // A run's record is written by its first step, a moment after it was started.
                await Task.Delay(PollEvery, cancellationToken);
                continue;
            }
            if (Text(run["run"], "status") != "running") break;
            if (!options.Json) await errors.WriteLineAsync(ProgressLine(run, DateTimeOffset.UtcNow));
            await Task.Delay(PollEvery, cancellationToken);
        }
        Print(run, () => ReportText(run));
        if (Text(run["run"], "status") != "succeeded") throw new CommandFailedException($"run {runId} {Text(run["run"], "status")}");
    });

    public Task<int> RunsAsync(string id, CancellationToken cancellationToken) => RunAsync(async api =>
    {
        var runs = await api.GetAsync($"connections/{Uri.EscapeDataString(id)}/runs", cancellationToken);
        Print(runs, () => TextTable.Render(["RUN", "STATUS", "NODE", "STARTED", "ENDED", "ERRORS"],
            runs!.AsArray().Select(r => (IReadOnlyList<string>)[Text(r, "run_id"), Text(r, "status"), Text(r, "node"), Text(r, "started_at"),
                Text(r, "ended_at"), r!["errors"]!.AsArray().Count.ToString(CultureInfo.InvariantCulture)])));
    });

    public Task<int> ReportAsync(string runId, CancellationToken cancellationToken) => RunAsync(async api =>
    {
        var run = await api.GetAsync($"runs/{Uri.EscapeDataString(runId)}", cancellationToken);
        Print(run, () => ReportText(run!));
    });

    public Task<int> LogAsync(string runId, CancellationToken cancellationToken) => RunAsync(async api =>
    {
        var steps = await api.GetAsync($"runs/{Uri.EscapeDataString(runId)}/log", cancellationToken);
        Print(steps, () => TextTable.Render(["AT", "NODE", "STEP", "TABLE", "PATH", "MESSAGE"],
            steps!.AsArray().Select(s => (IReadOnlyList<string>)[Text(s, "at"), Text(s, "node"), Text(s, "step"), Text(s, "table"), Text(s, "path"), Text(s, "message")])));
    });

    /// <summary>"files 3/10, 1 failed, rows 12345, 4100 rows/s", from the run's progress and how long it has been going.</summary>
    public static string ProgressLine(JsonNode run, DateTimeOffset now)
    {
        var progress = run["progress"]!;
        var rows = progress["rows_loaded"]!.GetValue<long>();
        var seconds = (now - run["run"]!["started_at"]!.GetValue<DateTimeOffset>()).TotalSeconds;
        var failed = progress["files_failed"]!.GetValue<long>();
        return string.Create(CultureInfo.InvariantCulture,
            $"files {progress["files_done"]}/{progress["files_pending"]}{(failed > 0 ? $", {failed} failed" : "")}, rows {rows}, {(seconds > 0 ? rows / seconds : 0):F0} rows/s");
    }

    private static string ReportText(JsonNode run)
    {
        var summary = run["run"]!;
        var head = $"run {Text(summary, "run_id")} of connection {Text(summary, "connection_id")}: {Text(summary, "status")}" +
            $" (node {Text(summary, "node")}, {Text(summary, "started_at")} to {Text(summary, "ended_at")})\n";
        var tables = TextTable.Render(["TABLE", "LOADED", "SKIPPED", "FAILED", "WAITING", "ROWS", "REPLACED", "SECONDS"],
            run["tables"]!.AsArray().Select(t => (IReadOnlyList<string>)[Text(t, "table"), Text(t, "files_loaded"), Text(t, "files_skipped"),
                Text(t, "files_failed"), Text(t, "files_waiting"), Text(t, "rows_loaded"), Text(t, "rows_replaced"),
                t!["seconds"]!.GetValue<double>().ToString("F1", CultureInfo.InvariantCulture)]));
        var errors = run["tables"]!.AsArray().SelectMany(t => t!["errors"]!.AsArray()).Concat(summary["errors"]!.AsArray())
            .Select(e => $"error: {(string)e!}\n");
        return head + tables + string.Concat(errors);
    }
}
