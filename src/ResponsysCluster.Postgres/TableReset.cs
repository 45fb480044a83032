using Npgsql;
using ResponsysCluster.Postgres.Naming;

namespace ResponsysCluster.Postgres;

/// <summary>How a table reset ended.</summary>
public enum TableResetOutcome
{
    /// <summary>The table was emptied, its ledger and its bookmark forgotten.</summary>
    Reset,

    /// <summary>A run of the connection holds its run lock: nothing was changed.</summary>
    RunGoing,

    /// <summary>The connection never loaded nor recorded a file of the table: nothing to reset.</summary>
    UnknownTable,
}

/// <summary>What a reset did: its outcome and how many file versions the ledger forgot.</summary>
public sealed record TableResetResult(TableResetOutcome Outcome, long FilesForgotten);

/// <summary>
/// Starts a table over: its target table emptied and its ledger rows deleted in one transaction, with the bookmark
/// forgotten (by <c>forgetBookmark</c>) before that transaction commits. The transaction first takes the connection's
/// run lock (the advisory lock every run holds), so no run of the connection is going meanwhile and none starts
/// until the reset is done; and the target table's own lock (TRUNCATE's) waits for any load still committing, so
/// the table and the ledger are changed together: a file's rows are never left without its ledger row or the other way round.
/// </summary>
public sealed class TableReset(NpgsqlDataSource dataSource)
{
    public async Task<TableResetResult> ResetAsync(string connectionId, string table, Func<CancellationToken, Task> forgetBookmark,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        await using (var runLock = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock(@class, @key)", connection, transaction))
        {
            runLock.Parameters.AddWithValue("class", ConnectionRunLock.LockClass);
            runLock.Parameters.AddWithValue("key", ConnectionRunLock.KeyOf(connectionId));
            if (!(bool)(await runLock.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
                return new TableResetResult(TableResetOutcome.RunGoing, 0);
        }

        var target = await TargetOfAsync(connection, transaction, connectionId, table, cancellationToken).ConfigureAwait(false);
        if (target is not null)
        {
            await using var truncate = new NpgsqlCommand($"TRUNCATE {PostgresIdentifierQuoting.Qualified(target.Value.Schema, target.Value.Table)}",
                connection, transaction);
            await truncate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await using var forget = new NpgsqlCommand(
            $"DELETE FROM {ControlTables.Schema}.file_ledger WHERE connection_id = @c AND responsys_table = @t", connection, transaction);
        forget.Parameters.AddWithValue("c", connectionId);
        forget.Parameters.AddWithValue("t", table);
        long files = await forget.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        if (target is null && files == 0) return new TableResetResult(TableResetOutcome.UnknownTable, 0);

        await forgetBookmark(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new TableResetResult(TableResetOutcome.Reset, files);
    }

    /// <summary>The table's target, when it was created and still exists.</summary>
    private static async Task<(string Schema, string Table)?> TargetOfAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        string connectionId, string table, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT n.target_schema, n.target_table FROM {ControlTables.Schema}.table_names n
            WHERE n.connection_id = @c AND n.responsys_table = @t
              AND to_regclass(quote_ident(n.target_schema) || '.' || quote_ident(n.target_table)) IS NOT NULL
            """, connection, transaction);
        command.Parameters.AddWithValue("c", connectionId);
        command.Parameters.AddWithValue("t", table);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetString(0), reader.GetString(1)) : null;
    }
}
