namespace ResponsysCluster.Domain.Schema;

/// <summary>
/// Which column type a value needs. A column only ever widens, so nothing is dropped or truncated:
/// integer → number → string, date-time → string.
/// </summary>
public static class ColumnWidening
{
    /// <summary>
    /// The narrowest type at least as wide as <paramref name="current"/> that holds <paramref name="value"/>, by
    /// <see cref="ColumnValues"/>' rule (wall-clock date-times read in <paramref name="wallClockZone"/>).
    /// </summary>
    public static ColumnType Needed(ColumnType current, ReadOnlySpan<char> value, TimeZoneInfo wallClockZone)
    {
        if (ColumnValues.Fits(current, value, wallClockZone)) return current;
        return current == ColumnType.Integer && ColumnValues.TryNumber(value, out _) ? ColumnType.Number : ColumnType.String;
    }

    /// <summary>The wider of two types, for a column whose values need both.</summary>
    public static ColumnType Wider(ColumnType a, ColumnType b) => (a, b) switch
    {
        _ when a == b => a,
        (ColumnType.Integer, ColumnType.Number) or (ColumnType.Number, ColumnType.Integer) => ColumnType.Number,
        _ => ColumnType.String,
    };
}
