using ResponsysCluster.Domain.Schema;

namespace ResponsysCluster.Postgres;

internal enum FieldKind : byte { Null, Integer, Number, DateTime, Text }

/// <summary>
/// One field converted for its column, held until the whole record is known to fit. A text value is not copied (it is
/// written from the parser's buffer) unless it takes a canonical form.
/// </summary>
internal struct FieldValue
{
    public FieldKind Kind;
    public long Integer;
    public decimal Number;
    public DateTime DateTime;
    /// <summary>A wall-clock time in a DST gap, moved forward by the gap (<see cref="ColumnValues.TryDateTimeUtc(ReadOnlySpan{char}, TimeZoneInfo, out DateTime, out bool)"/>).</summary>
    public bool ShiftedOverGap;
    /// <summary>A text value in its canonical form (<see cref="CanonicalText"/>); null when the file's text is written.</summary>
    public string? Text;
}

/// <summary>A field converted for the binary COPY, by the rule every reader shares (<see cref="ColumnValues"/>).</summary>
internal static class FieldValues
{
    public static bool TryConvert(TargetColumn column, ReadOnlySpan<char> text, TimeZoneInfo wallClockZone, out FieldValue value)
    {
        var type = column.Type;
        value = default;
        if (text.IsEmpty) return true;
        switch (type)
        {
            case ColumnType.Integer:
                if (!ColumnValues.TryInteger(text, out value.Integer)) return false;
                value.Kind = FieldKind.Integer;
                return true;
            case ColumnType.Number:
                if (!ColumnValues.TryNumber(text, out value.Number)) return false;
                value.Kind = FieldKind.Number;
                return true;
            case ColumnType.DateTime:
                if (!ColumnValues.TryDateTimeUtc(text, wallClockZone, out value.DateTime, out value.ShiftedOverGap)) return false;
                value.Kind = FieldKind.DateTime;
                return true;
            default:
                value.Kind = FieldKind.Text;
                if (column.WidenedFrom is { } widenedFrom) value.Text = CanonicalText.Of(widenedFrom, text, wallClockZone);
                return true;
        }
    }
}
