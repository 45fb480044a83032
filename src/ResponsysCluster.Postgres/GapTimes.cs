using System.Globalization;
using ResponsysCluster.Csv;

namespace ResponsysCluster.Postgres;

/// <summary>
/// Counts the wall-clock times of one file that fell in a DST gap of the connection's time zone and were moved forward
/// by the gap, and words them once for the file's log: how many, and where the first was.
/// </summary>
internal sealed class GapTimes(TimeZoneInfo zone)
{
    private long count;
    private string? first;

    public void Add(ExportRecordReader reader, int ordinal, DateTime utc)
    {
        if (count++ > 0) return;
        first = string.Create(CultureInfo.InvariantCulture,
            $"column {reader.Header[ordinal]}, line {reader.LineNumber}: '{reader.Field(ordinal)}' stored as {utc:yyyy-MM-dd HH:mm:ss} UTC");
    }

    /// <summary>The note for the file's log, or null when no time fell in a gap.</summary>
    public string? Note => count == 0 ? null : string.Create(CultureInfo.InvariantCulture,
        $"{count} wall-clock time{(count == 1 ? "" : "s")} in a daylight-saving gap of {zone.Id} moved forward by the gap (first: {first})");
}
