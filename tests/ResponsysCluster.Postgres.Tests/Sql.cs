using Npgsql;

namespace ResponsysCluster.Postgres.Tests;

/// <summary>Reads query results back as plain values, so tests compare what PostgreSQL really holds.</summary>
internal static class Sql
{
    public static async Task<List<object?[]>> RowsAsync(NpgsqlDataSource dataSource, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    public static async Task<object?> ScalarAsync(NpgsqlDataSource dataSource, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        var value1 = await command.ExecuteScalarAsync();
        return value1 is DBNull ? null : value1;
    }

    public static async Task<long> CountAsync(NpgsqlDataSource dataSource, string sql, params (string Name, object Value)[] parameters) =>
        (long)(await ScalarAsync(dataSource, sql, parameters))!;
}
