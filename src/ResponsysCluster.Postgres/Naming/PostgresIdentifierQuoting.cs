using ResponsysCluster.Domain.Naming;

namespace ResponsysCluster.Postgres.Naming;

internal static class PostgresIdentifierQuoting
{
    public static string Qualified(string schema, string table) => PostgresIdentifier.Quote(schema) + "." + PostgresIdentifier.Quote(table);
}
