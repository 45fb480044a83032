using System.Globalization;

namespace ResponsysCluster.Domain.Schema;

/// <summary>
/// Which column type a value needs. A column only ever widens, so nothing is dropped or truncated:
/// integer → number → string, date-time → string.
/// </summary>
public static class ColumnWidening
{
    /// <summary>The narrowest type at least as wide as <paramref name="current"/> that holds <paramref name="value"/>.</summary>
    public static ColumnType Needed(ColumnType current, ReadOnlySpan<char> value)
    {
        if (value.IsEmpty) return current;
        return current switch
        {
            ColumnType.Integer when ResponsysValues.IsInteger(value) && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) => ColumnType.Integer,
            ColumnType.Integer or ColumnType.Number when FitsNumber(value) => ColumnType.Number,
            ColumnType.DateTime when ResponsysDateTime.TryParse(value, out _, out _) => ColumnType.DateTime,
            _ => ColumnType.String,
        };
    }

    /// <summary>The wider of two types, for a column whose values need both.</summary>
    public static ColumnType Wider(ColumnType a, ColumnType b) => (a, b) switch
    {
        _ when a == b => a,
        (ColumnType.Integer, ColumnType.Number) or (ColumnType.Number, ColumnType.Integer) => ColumnType.Number,
        _ => ColumnType.String,
    };

    public static bool FitsNumber(ReadOnlySpan<char> value) =>
        ResponsysValues.IsNumber(value) && decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
}
