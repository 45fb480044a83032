using System.Globalization;

namespace ResponsysCluster.Domain.Files;

/// <summary>
/// What a ready file says. With Responsys's "Create file with record count" it holds the number of records;
/// otherwise it is an empty marker. Anything that is not a plain number is treated as a marker.
/// </summary>
public static class ReadyFileContent
{
    /// <summary>The record count the ready file carries, or null for a plain marker.</summary>
    public static long? RecordCount(string content)
    {
        var text = content.Trim().TrimStart('\uFEFF').Trim();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : null;
    }
}
