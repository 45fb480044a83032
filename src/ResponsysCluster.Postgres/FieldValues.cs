using ResponsysCluster.Domain.Schema;

namespace ResponsysCluster.Postgres;

internal enum FieldKind : byte { Null, Integer, Number, DateTime, Text }

/// <summary>
/// One field converted for its column, held until the whole record is known to fit. A text value is not copied: it is
/// written from the parser's buffer.
/// </summary>
internal struct FieldValue
{
    public FieldKind Kind;
    public long Integer;
    public decimal Number;
    public DateTime DateTime;
    /// <summary>A wall-clock time in a DST gap, moved forward by the gap (<see cref="ColumnValues.TryDateTimeUtc(ReadOnlySpan{char}, TimeZoneInfo, out DateTime, out bool)"/>).</summary>
    public bool ShiftedOverGap;
}

/// <summary>A field converted for the binary COPY, by the rule every reader shares (<see cref="ColumnValues"/>).</summary>
internal static class FieldValues
{
    public static bool TryConvert(ColumnType type, ReadOnlySpan<char> text, TimeZoneInfo wallClockZone, out FieldValue value)
    {
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
                return true;
        }
    }

    /// <summary>
    /// Whether <paramref name="value"/>, converted from <paramref name="text"/>, reads back as exactly that text once
    /// its column is cast to text. Integers and numbers follow JSON's grammar, so they do, but for an exponent or a
    /// negative zero; a date-time never does (the cast writes its own form, in the session's time zone).
    /// </summary>
    public static bool CastKeepsText(in FieldValue value, ReadOnlySpan<char> text) => value.Kind switch
    {
        FieldKind.Integer => !(value.Integer == 0 && text[0] == '-'),
        FieldKind.Number => !(value.Number == 0m && text[0] == '-') && text.IndexOfAny('e', 'E') < 0,
        FieldKind.DateTime => false,
        _ => true,
    };
}
