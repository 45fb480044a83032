using System.CommandLine;
using ResponsysCluster.Node.Hosting;

namespace ResponsysCluster.Node.Ctl;

/// <summary>The <c>ctl</c> command's arguments and sub-commands.</summary>
internal static class CtlCommandLine
{
    public static Command Build(TextWriter stdout)
    {
        var url = new Option<string?>("--url") { Description = $"A node's management API (or set {CtlCommand.UrlVariable}; default {CtlCommand.DefaultUrl})", Recursive = true };
        var token = new Option<string?>("--token") { Description = $"The API's bearer token (or set {NodeSettings.ApiTokenVariable})", Recursive = true };
        var json = new Option<bool>("--json") { Description = "Print the API's JSON instead of a table", Recursive = true };
        CtlCommand Ctl(ParseResult parse) => new(new CtlOptions(
            new Uri((parse.GetValue(url) ?? Environment.GetEnvironmentVariable(CtlCommand.UrlVariable) ?? CtlCommand.DefaultUrl).TrimEnd('/') + "/"),
            parse.GetValue(token) ?? Environment.GetEnvironmentVariable(NodeSettings.ApiTokenVariable), parse.GetValue(json)), stdout, Console.Error);

        Command One(string name, string description, Func<CtlCommand, string, CancellationToken, Task<int>> action, string argument = "ID")
        {
            var value = new Argument<string>(argument);
            var command = new Command(name, description) { value };
            command.SetAction((parse, cancellationToken) => action(Ctl(parse), parse.GetValue(value)!, cancellationToken));
            return command;
        }
        Command Two(string name, string description, Func<CtlCommand, ParseResult, string, string, CancellationToken, Task<int>> action,
            string first, string second, params Option[] options)
        {
            var one = new Argument<string>(first);
            var two = new Argument<string>(second);
            var command = new Command(name, description) { one, two };
            foreach (var option in options) command.Options.Add(option);
            command.SetAction((parse, cancellationToken) => action(Ctl(parse), parse, parse.GetValue(one)!, parse.GetValue(two)!, cancellationToken));
            return command;
        }
        static IReadOnlyList<string>? Names(string? list) => list?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        var members = new Command("members", "The cluster's members: address, name, status, leader, reachable, up since");
        members.SetAction((parse, cancellationToken) => Ctl(parse).MembersAsync(cancellationToken));
        var list = new Command("list", "The registered connections");
        list.SetAction((parse, cancellationToken) => Ctl(parse).ListConnectionsAsync(cancellationToken));
        var connections = new Command("connections", "The connection registry")
        {
            list,
            One("show", "One connection as the registry keeps it", (c, id, ct) => c.ShowConnectionAsync(id, ct)),
            One("add", "Adds (or replaces) the connection a JSON file holds", (c, file, ct) => c.AddConnectionAsync(file, ct), "FILE"),
            One("remove", "Removes a connection (its tables, ledger and bookmarks stay)", (c, id, ct) => c.RemoveConnectionAsync(id, ct)),
            One("pause", "Stops a connection's schedule", (c, id, ct) => c.PauseAsync(id, ct)),
            One("resume", "Resumes a connection's schedule", (c, id, ct) => c.ResumeAsync(id, ct)),
            One("test", "Reaches, logs in and lists: a registered connection, or the one a JSON file holds (nothing saved)",
                (c, id, ct) => c.TestConnectionAsync(id, ct), "ID|FILE"),
        };

        var columns = new Option<string?>("--columns") { Description = "Comma-separated columns to load (default: all)" };
        var syncId = new Argument<string>("ID");
        var syncTables = new Option<string?>("--tables") { Description = "Comma-separated Responsys tables (default: all selected)" };
        var syncWait = new Option<bool>("--wait") { Description = "Show the run's progress until it ends, then its report (exit 1 when it failed)" };
        var sync = new Command("sync", "Starts a run of the connection now and prints its run id") { syncId, syncTables, syncWait };
        sync.SetAction((parse, cancellationToken) =>
            Ctl(parse).SyncAsync(parse.GetValue(syncId)!, Names(parse.GetValue(syncTables)), parse.GetValue(syncWait), cancellationToken));

        return new Command("ctl", "Operate a cluster through a node's management API")
        {
            url, token, json, members,
            One("leave", "A graceful leave of the member at ADDRESS", (c, address, ct) => c.LeaveAsync(address, ct), "ADDRESS"),
            One("down", "Downs the member at ADDRESS", (c, address, ct) => c.DownAsync(address, ct), "ADDRESS"),
            connections,
            One("tables", "A connection's tables: selected, columns, files and rows loaded, bookmark", (c, id, ct) => c.TablesAsync(id, ct)),
            Two("select", "Selects a table (with --columns, only those columns)",
                (c, parse, id, table, ct) => c.SelectAsync(id, table, Names(parse.GetValue(columns)), ct), "ID", "TABLE", columns),
            Two("unselect", "Stops loading a table", (c, _, id, table, ct) => c.UnselectAsync(id, table, ct), "ID", "TABLE"),
            Two("schedule", "Sets the schedule: an interval (6h), a cron expression, a schedule's JSON, or none",
                (c, _, id, spec, ct) => c.ScheduleAsync(id, spec, ct), "ID", "SPEC"),
            sync,
            One("runs", "A connection's latest runs", (c, id, ct) => c.RunsAsync(id, ct)),
            One("report", "A run's loading report", (c, run, ct) => c.ReportAsync(run, ct), "RUN"),
            One("log", "A run's extraction log, with the node of each step", (c, run, ct) => c.LogAsync(run, ct), "RUN"),
            Two("reset", "Empties a table and forgets its bookmark and ledger: it reloads from start_date",
                (c, _, id, table, ct) => c.ResetAsync(id, table, ct), "ID", "TABLE"),
        };
    }
}
