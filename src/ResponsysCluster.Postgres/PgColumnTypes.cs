using ResponsysCluster.Domain.Schema;

namespace ResponsysCluster.Postgres;

/// <summary>How inferred column types map onto PostgreSQL types, and back.</summary>
internal static class PgColumnTypes
{
    public static string Sql(ColumnType type) => type switch
    {
        ColumnType.Integer => "bigint",
        ColumnType.Number => "numeric",
        ColumnType.DateTime => "timestamptz",
        _ => "text",
    };

    /// <summary>From the name <see cref="Sql"/> gives (as the schema history keeps it); null for any other.</summary>
    public static ColumnType? FromSql(string type) => type switch
    {
        "bigint" => ColumnType.Integer,
        "numeric" => ColumnType.Number,
        "timestamptz" => ColumnType.DateTime,
        "text" => ColumnType.String,
        _ => null,
    };

    /// <summary>From <c>information_schema.columns.data_type</c>; null for a type this product did not create.</summary>
    public static ColumnType? FromInformationSchema(string dataType) => dataType switch
    {
        "bigint" => ColumnType.Integer,
        "numeric" => ColumnType.Number,
        "timestamp with time zone" => ColumnType.DateTime,
        "text" => ColumnType.String,
        _ => null,
    };
}
