using System.Globalization;

namespace ResponsysCluster.Domain.Schema;

/// <summary>
/// How a text value converts to a column type: the one rule that type inference, the Singer tap, the loader and
/// column widening all use, so a value reads the same whichever command reads it. Empty values are null and fit
/// every type; a value that fits no narrower type is text.
/// </summary>
public static class ColumnValues
{
    /// <summary>An integer in Responsys's form (no leading zero, no plus) that a 64-bit integer holds.</summary>
    public static bool TryInteger(ReadOnlySpan<char> value, out long integer)
    {
        integer = 0;
        return ResponsysValues.IsInteger(value) && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out integer);
    }

    /// <summary>A JSON-form number that a decimal holds (about 28 significant digits).</summary>
    public static bool TryNumber(ReadOnlySpan<char> value, out decimal number)
    {
        number = 0;
        return ResponsysValues.IsNumber(value) && decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out number);
    }

    /// <summary>
    /// A Responsys date-time as UTC: with an offset as written, without one read as a wall-clock time in
    /// <paramref name="wallClockZone"/>. A wall-clock time the zone skips (a DST gap) is moved forward by the gap,
    /// as PostgreSQL and java.time read it; an ambiguous one (a DST overlap) is read as standard time. A value whose
    /// UTC time falls outside years 1–9999 does not convert.
    /// </summary>
    public static bool TryDateTimeUtc(ReadOnlySpan<char> value, TimeZoneInfo wallClockZone, out DateTime utc) =>
        TryDateTimeUtc(value, wallClockZone, out utc, out _);

    /// <inheritdoc cref="TryDateTimeUtc(ReadOnlySpan{char}, TimeZoneInfo, out DateTime)"/>
    /// <param name="shiftedOverGap">Whether the value was a wall-clock time in a DST gap, moved forward.</param>
    public static bool TryDateTimeUtc(ReadOnlySpan<char> value, TimeZoneInfo wallClockZone, out DateTime utc, out bool shiftedOverGap)
    {
        utc = default;
        shiftedOverGap = false;
        if (!ResponsysDateTime.TryParse(value, out var parsed, out var hasOffset)) return false;
        if (hasOffset || wallClockZone == TimeZoneInfo.Utc)
        {
            utc = DateTime.SpecifyKind(parsed, DateTimeKind.Utc);
            return true;
        }
        shiftedOverGap = wallClockZone.IsInvalidTime(parsed);
        // TimeZoneInfo's own conversion clamps a result beyond the calendar to its ends: that would change the value.
        // For a time in a DST gap GetUtcOffset gives the standard offset, the one in force before the gap: read with
        // it, the time lands as far past the gap's end as it is past its start.
        var ticks = parsed.Ticks - wallClockZone.GetUtcOffset(parsed).Ticks;
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks) return false;
        utc = new DateTime(ticks, DateTimeKind.Utc);
        return true;
    }

    /// <summary>Whether <paramref name="value"/> converts to <paramref name="type"/>.</summary>
    public static bool Fits(ColumnType type, ReadOnlySpan<char> value, TimeZoneInfo wallClockZone) => value.IsEmpty || type switch
    {
        ColumnType.Integer => TryInteger(value, out _),
        ColumnType.Number => TryNumber(value, out _),
        ColumnType.DateTime => TryDateTimeUtc(value, wallClockZone, out _),
        _ => true,
    };
}
