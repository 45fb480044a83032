using System.CommandLine;
using ResponsysCluster.Node;
using ResponsysCluster.Node.Commands;
using ResponsysCluster.Node.Ctl;
using ResponsysCluster.Node.Hosting;

// stdout carries the report (sync, log) or Singer messages (tap) and nothing else: whatever else writes to the
// console's stdout (Akka's standard-out logger while the actor system starts or stops, a library's stray line)
// goes to stderr instead. The commands write their output through `stdout`, kept here.
var stdout = Console.Out;
Console.SetOut(Console.Error);

var config = new Option<string>("--config", "-c") { Description = "Connection config JSON (tap-responsys keys)", Required = true };
var discover = new Option<bool>("--discover", "-d") { Description = "Write a Singer catalog to stdout" };
var catalog = new Option<string?>("--catalog") { Description = "Catalog whose selected streams are synced" };
var properties = new Option<string?>("--properties", "-p") { Description = "Older name of --catalog" };
var state = new Option<string?>("--state", "-s") { Description = "State from an earlier run" };

var validateFirst = new Option<bool>("--validate-first")
{
    Description = "Read and check each file to its end before emitting any of its records (spooled to a temporary file), for targets that append",
};
var tap = new Command("tap", "Singer tap: discover or sync Responsys Connect exports, compatible with tap-responsys")
{
    config, discover, catalog, properties, state, validateFirst,
};
tap.SetAction(async (parse, cancellationToken) =>
{
    using var loggerFactory = Logging.CreateFactory();
    var arguments = new TapArguments(parse.GetValue(config)!, parse.GetValue(discover),
        parse.GetValue(catalog) ?? parse.GetValue(properties), parse.GetValue(state), parse.GetValue(validateFirst));
    await using var messages = new BufferedStream(Console.OpenStandardOutput(), 1 << 20);
    return await new TapCommand(loggerFactory, TimeProvider.System).RunAsync(arguments, messages, cancellationToken);
});

var syncConfig = new Option<string>("--config", "-c") { Description = "Connection config JSON", Required = true };
var postgres = new Option<string?>("--postgres") { Description = $"PostgreSQL connection string (or set {SyncCommand.PostgresVariable})" };
var tables = new Option<string?>("--tables") { Description = "Comma-separated Responsys tables (default: all discovered)" };
var wait = new Option<bool>("--wait") { Description = "When another run of the connection is in progress, wait for it to end (default: exit 3)" };
var sync = new Command("sync", "Replicate the connection's tables into PostgreSQL once, print the loading report and exit")
{
    syncConfig, postgres, tables, wait,
};
sync.SetAction(async (parse, cancellationToken) =>
{
    using var loggerFactory = Logging.CreateFactory();
    var selected = parse.GetValue(tables)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    return await new SyncCommand(loggerFactory).RunAsync(
        new SyncArguments(parse.GetValue(syncConfig)!, parse.GetValue(postgres), selected, parse.GetValue(wait)), stdout, cancellationToken);
});

var nodeConfig = new Option<string?>("--config", "-c") { Description = "One connection's config JSON" };
var nodeConnections = new Option<string?>("--connections") { Description = $"Directory whose every *.json is a connection config (or set {ConnectionFiles.DirectoryVariable})" };
var nodePostgres = new Option<string?>("--postgres") { Description = $"PostgreSQL connection string (or set {SyncCommand.PostgresVariable})" };
var nodeHost = new Option<string?>("--host") { Description = $"Address the cluster transport binds to (or set {NodeSettings.HostVariable}; default {NodeSettings.DefaultHost})" };
var nodePort = new Option<string?>("--port") { Description = $"Cluster transport port, 0 for any free one (or set {NodeSettings.PortVariable}; default {NodeSettings.DefaultPort})" };
var nodePublicHost = new Option<string?>("--public-host") { Description = $"Host name other nodes reach this one by (or set {NodeSettings.PublicHostVariable}; default --host)" };
var nodeSeeds = new Option<string?>("--seeds") { Description = $"Comma-separated host:port of seed nodes; a node listing itself first forms the cluster (or set {NodeSettings.SeedsVariable}; default: a cluster of its own)" };
var nodeName = new Option<string?>("--name") { Description = $"Node name for logs and PostgreSQL's application_name (or set {NodeSettings.NameVariable}; default host:port)" };
var nodeHttp = new Option<string?>("--http") { Description = $"host:port of the health endpoints (or set {NodeSettings.HttpVariable}; default {NodeSettings.DefaultHttp})" };
var node = new Command("node", "Run a cluster node that keeps replicating its connections on their schedules until stopped (SIGTERM stops cleanly)")
{
    nodeConfig, nodeConnections, nodePostgres, nodeHost, nodePort, nodePublicHost, nodeSeeds, nodeName, nodeHttp,
};
node.SetAction(async (parse, cancellationToken) =>
{
    using var loggerFactory = Logging.CreateFactory();
    var flags = new NodeFlags(parse.GetValue(nodeHost), parse.GetValue(nodePort), parse.GetValue(nodePublicHost), parse.GetValue(nodeSeeds),
        parse.GetValue(nodeName), parse.GetValue(nodeHttp));
    return await new NodeCommand(loggerFactory).RunAsync(
        new NodeArguments(parse.GetValue(nodeConfig), parse.GetValue(nodePostgres), flags, parse.GetValue(nodeConnections)), cancellationToken);
});

var runId = new Option<Guid>("--run") { Description = "Run id, as the loading report prints it", Required = true };
var logPostgres = new Option<string?>("--postgres") { Description = $"PostgreSQL connection string (or set {SyncCommand.PostgresVariable})" };
var log = new Command("log", "Print the extraction log of one run") { runId, logPostgres };
log.SetAction(async (parse, cancellationToken) =>
{
    using var loggerFactory = Logging.CreateFactory();
    return await new LogCommand(loggerFactory).RunAsync(parse.GetValue(runId), parse.GetValue(logPostgres), stdout, cancellationToken);
});

var ctl = CtlCommandLine.Build(stdout);

var root = new RootCommand("ResponsysCluster: replicate Oracle Responsys Connect exports from SFTP into PostgreSQL") { tap, sync, node, log, ctl };
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = stdout, Error = Console.Error });
