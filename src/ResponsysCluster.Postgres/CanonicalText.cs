using System.Globalization;
using ResponsysCluster.Domain.Schema;

namespace ResponsysCluster.Postgres;

/// <summary>
/// The one form a value takes in a text column that was widened from a typed one, so that a source value reads the
/// same whichever file it came from: the widening renders the rows already loaded in it, and later loads write every
/// value that still reads as the old type in it too; a value that does not keep the file's text. Date-times:
/// ISO 8601 in UTC to the microsecond (<c>2018-09-11T13:11:02.000000Z</c>, the form the tap emits); numbers and
/// integers: PostgreSQL's own rendering of the <c>numeric</c> or <c>bigint</c> (<c>1e3</c> → <c>1000</c>).
/// </summary>
internal static class CanonicalText
{
    private const string DateTimeFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    /// <summary>The <c>USING</c> expression that changes <paramref name="column"/> from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static string Cast(string column, ColumnType from, ColumnType to) => (from, to) switch
    {
        (ColumnType.DateTime, ColumnType.String) => $"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
        _ => $"{column}::{PgColumnTypes.Sql(to)}",
    };

    /// <summary><paramref name="value"/> in the canonical form of <paramref name="widenedFrom"/>, or null when it does not read as that type.</summary>
    public static string? Of(ColumnType widenedFrom, ReadOnlySpan<char> value, TimeZoneInfo wallClockZone) => widenedFrom switch
    {
        ColumnType.DateTime when ColumnValues.TryDateTimeUtc(value, wallClockZone, out var utc) => utc.ToString(DateTimeFormat, CultureInfo.InvariantCulture),
        ColumnType.Number when ColumnValues.TryNumber(value, out var number) => number.ToString(CultureInfo.InvariantCulture),
        ColumnType.Integer when ColumnValues.TryInteger(value, out var integer) => integer.ToString(CultureInfo.InvariantCulture),
        _ => null,
    };
}
