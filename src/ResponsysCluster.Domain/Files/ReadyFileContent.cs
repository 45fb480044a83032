using System.Globalization;

namespace ResponsysCluster.Domain.Files;

/// <summary>
/// What a ready file says. With Responsys's "Create file with record count" it holds the number of records;
/// otherwise it is an empty marker. Anything that is not a plain number is treated as a marker.
/// </summary>
public static class ReadyFileContent
{
    /// <summary>
    /// The record count the ready file carries, or null for a plain marker. A count too large for any file
    /// (above 2^63 - 1) is a <see cref="ReadyFileCountTooLargeException"/>, never a marker: it cannot match.
    /// </summary>
    public static long? RecordCount(string content)
    {
        var text = content.Trim().TrimStart('\uFEFF').Trim();
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count)) return count;
        if (text.Length > 0 && text.All(char.IsAsciiDigit)) throw new ReadyFileCountTooLargeException(text);
        return null;
    }
}

/// <summary>A ready file's record count is a number larger than any file can hold.</summary>
public sealed class ReadyFileCountTooLargeException(string count) : Exception($"the record count {count} is larger than any file can hold")
{
    public string Count { get; } = count;
}
