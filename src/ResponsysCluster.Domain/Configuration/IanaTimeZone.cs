namespace ResponsysCluster.Domain.Configuration;

/// <summary>Time zones named by IANA id (<c>Europe/Paris</c>), as the system's tz database knows them.</summary>
internal static class IanaTimeZone
{
    public static TimeZoneInfo? Find(string id)
    {
        TimeZoneInfo zone;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException or System.Security.SecurityException)
        {
            return null;
        }
        // The runtime's cache matches ids in any case while the tz files do not: only the exact id is
        // accepted, so that a config does not pass or fail depending on which zones were looked up before.
        return string.Equals(zone.Id, id, StringComparison.Ordinal) ? zone : null;
    }
}
