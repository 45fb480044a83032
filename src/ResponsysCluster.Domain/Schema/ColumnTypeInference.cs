namespace ResponsysCluster.Domain.Schema;

/// <summary>
/// Infers one column's type from sampled values. Empty values are null and say nothing. The column is integer
/// when every other value is an integer, number when every one is numeric, date-time when every one is a
/// Responsys date-time, otherwise string: one stray value never changes the type of a whole column.
/// </summary>
public sealed class ColumnTypeInference
{
    private bool allIntegers = true;
    private bool allNumbers = true;
    private bool allDateTimes = true;

    public long ValuesSeen { get; private set; }

    public void Observe(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty) return;
        ValuesSeen++;
        // The same rule the loader and the tap convert by: an integer too long for 64 bits makes a number column.
        if (allIntegers && !ColumnValues.TryInteger(value, out _)) allIntegers = false;
        if (allNumbers && !ColumnValues.TryNumber(value, out _)) allNumbers = false;
        if (allDateTimes && !ResponsysDateTime.TryParse(value, out _, out _)) allDateTimes = false;
    }

    public ColumnType Result => ValuesSeen == 0 ? ColumnType.String
        : allIntegers ? ColumnType.Integer
        : allNumbers ? ColumnType.Number
        : allDateTimes ? ColumnType.DateTime
        : ColumnType.String;
}
