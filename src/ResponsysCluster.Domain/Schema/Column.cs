namespace ResponsysCluster.Domain.Schema;

/// <summary>A column of an export, as named in the header row, with its inferred type.</summary>
public sealed record Column(string Name, ColumnType Type);
