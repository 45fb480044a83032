using System.Globalization;
using ResponsysCluster.Domain.Schema;

namespace ResponsysCluster.Postgres;

internal enum FieldKind : byte { Null, Integer, Number, DateTime, Text }

/// <summary>One field converted for its column, held until the whole record is known to fit.</summary>
internal struct FieldValue
{
    public FieldKind Kind;
    public long Integer;
    public decimal Number;
    public DateTime DateTime;
    public string? Text;
}

/// <summary>Converts a field's text into the value its column's type takes, or says it does not fit.</summary>
internal static class ColumnValues
{
    public static bool TryConvert(ColumnType type, ReadOnlySpan<char> text, TimeZoneInfo wallClockZone, out FieldValue value)
    {
        value = default;
        if (text.IsEmpty) return true;
        switch (type)
        {
            case ColumnType.Integer:
                if (!ResponsysValues.IsInteger(text) || !long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value.Integer)) return false;
                value.Kind = FieldKind.Integer;
                return true;
            case ColumnType.Number:
                if (!ResponsysValues.IsNumber(text) || !decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value.Number)) return false;
                value.Kind = FieldKind.Number;
                return true;
            case ColumnType.DateTime:
                // A wall-clock time that does not exist in the zone (a DST gap) cannot be placed: it does not fit.
                if (!ResponsysDateTime.TryParse(text, out var dateTime, out var hasOffset) || (!hasOffset && wallClockZone.IsInvalidTime(dateTime))) return false;
                value.DateTime = hasOffset ? dateTime : TimeZoneInfo.ConvertTimeToUtc(dateTime, wallClockZone);
                value.Kind = FieldKind.DateTime;
                return true;
            default:
                value.Text = text.ToString();
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
