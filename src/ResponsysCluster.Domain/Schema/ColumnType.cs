namespace ResponsysCluster.Domain.Schema;

/// <summary>The type a column is inferred to hold.</summary>
public enum ColumnType
{
    String,
    Integer,
    Number,
    DateTime,
}
