using ResponsysCluster.Domain.Schema;

namespace ResponsysCluster.Postgres;

/// <summary>A Responsys table as it exists in PostgreSQL: its quoted name and its columns by Responsys name.</summary>
public sealed record TargetTable(string Schema, string Table, IReadOnlyDictionary<string, TargetColumn> Columns)
{
    public string QualifiedName => Naming.PostgresIdentifierQuoting.Qualified(Schema, Table);
}

/// <summary>
/// A column's PostgreSQL name and current type. <paramref name="WidenedFrom"/>: for a text column widened from a
/// typed one, that type: its values that still read as it are stored in one canonical form (<see cref="CanonicalText"/>).
/// </summary>
public sealed record TargetColumn(string Name, ColumnType Type, ColumnType? WidenedFrom = null);
