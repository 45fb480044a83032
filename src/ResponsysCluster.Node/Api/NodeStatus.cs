using ResponsysCluster.Postgres;

namespace ResponsysCluster.Node.Api;

/// <summary>
/// What the status page shows, as this node read it at <see cref="ReadAt"/>. A part that could not be read in time is
/// null, and <see cref="Unread"/> says which and why.
/// </summary>
public sealed record NodeStatus(
    DateTimeOffset ReadAt,
    MemberLine Self,
    IReadOnlyList<MemberLine> Members,
    IReadOnlyList<ConnectionLine>? Connections,
    IReadOnlyDictionary<string, LastRun>? LastRuns,
    IReadOnlyList<LoadedTable>? Tables,
    IReadOnlyList<string> Unread);

/// <summary>A cluster member as this node sees it.</summary>
public sealed record MemberLine(string Address, string? Name, string Status, bool Leader, bool Reachable);

/// <summary>A registered connection: its id and whether its schedule is paused (its configuration is not shown).</summary>
public sealed record ConnectionLine(string Id, bool Paused);

/// <summary>A connection's latest run; <see cref="RowsLoaded"/> is null while it runs (its report is written at its end).</summary>
public sealed record LastRun(string Status, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, long? RowsLoaded, IReadOnlyList<string> Errors);
