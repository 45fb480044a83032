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
/// <paramref name="InOverflow"/>: the column is a key of the table's <c>_sdc_overflow</c> object (<see cref="Domain.Schema.RowBudget"/>),
/// and <paramref name="Name"/> is that key, the Responsys name.
/// </summary>
public sealed record TargetColumn(string Name, ColumnType Type, ColumnType? WidenedFrom = null, bool InOverflow = false);
