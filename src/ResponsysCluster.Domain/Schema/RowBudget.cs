namespace ResponsysCluster.Domain.Schema;

/// <summary>
/// Which of a table's columns a PostgreSQL row can always hold, whatever their values. A row must fit one 8 KB page
/// (8,160 bytes with its header) and a table has at most 1,600 columns. Text and numeric values are varlena: a long
/// one is moved out of the row (TOAST), but one up to 24 bytes stays in it; bigint and timestamptz take 8 bytes and
/// up to 7 of alignment. So a column costs at most 24 or 16 bytes of the row, and the data columns get 7,400 bytes
/// (the rest for the tuple header, the null bitmap and the system columns), which also keeps a table far below
/// 1,600 columns (at most 462 data columns). A column past that budget is kept as a key of the table's
/// <see cref="SystemColumns.Overflow"/> JSON object instead: one value, compressed and moved out of the row as TOAST
/// does any long value, so the row always fits.
/// </summary>
public sealed class RowBudget
{
    public const int DataBytes = 7_400;

    private int bytes;

    /// <summary>A budget already holding the typed columns a table has.</summary>
    public RowBudget(IEnumerable<ColumnType> existing)
    {
        foreach (var type in existing) bytes += WorstCaseBytes(type);
    }

    /// <summary>Takes a column of <paramref name="type"/> when the row can still hold it; false when it must go to the overflow.</summary>
    public bool TryTake(ColumnType type)
    {
        if (bytes + WorstCaseBytes(type) > DataBytes) return false;
        bytes += WorstCaseBytes(type);
        return true;
    }

    public static int WorstCaseBytes(ColumnType type) => type is ColumnType.Integer or ColumnType.DateTime ? 16 : 24;
}
