using System.Globalization;

namespace ResponsysCluster.Domain;

/// <summary>ISO-8601 timestamps as they appear in configs and Singer state: a missing offset means UTC.</summary>
public static class IsoTimestamp
{
    public static bool TryParse(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);

    /// <summary>UTC form used in state: <c>2018-09-11T09:11:02Z</c>, with a fraction only when there is one.</summary>
    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}
