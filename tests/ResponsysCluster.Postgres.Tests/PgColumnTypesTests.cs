using ResponsysCluster.Domain.Schema;

namespace ResponsysCluster.Postgres.Tests;

public sealed class PgColumnTypesTests
{
    [Theory]
    [InlineData(ColumnType.Integer, "bigint", "bigint")]
    [InlineData(ColumnType.Number, "numeric", "numeric")]
    [InlineData(ColumnType.DateTime, "timestamptz", "timestamp with time zone")]
    [InlineData(ColumnType.String, "text", "text")]
    public void Should_map_each_type_to_its_postgres_type_and_back_from_both_spellings(ColumnType type, string sql, string informationSchema)
    {
        Assert.Equal(sql, PgColumnTypes.Sql(type));
        Assert.Equal(type, PgColumnTypes.FromSql(sql));
        Assert.Equal(type, PgColumnTypes.FromInformationSchema(informationSchema));
    }

    [Theory]
    [InlineData("integer")]
    [InlineData("character varying")]
    [InlineData("")]
    public void Should_know_no_type_this_product_does_not_create(string type)
    {
        Assert.Null(PgColumnTypes.FromSql(type));
        Assert.Null(PgColumnTypes.FromInformationSchema(type));
    }
}
