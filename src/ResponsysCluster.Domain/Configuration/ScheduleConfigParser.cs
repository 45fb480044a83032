using System.Globalization;
using System.Text.Json;
using ResponsysCluster.Domain.Scheduling;

namespace ResponsysCluster.Domain.Configuration;

/// <summary>
/// Reads the <c>schedule</c> key: <c>{"every": "60m"}</c>, <c>{"every": "6h", "anchor": "02:30"}</c> or
/// <c>{"cron": "0 */2 * * *"}</c>, the last two with an optional <c>time_zone</c> (default: the connection's).
/// Every problem is a <see cref="ConfigException"/> on <c>schedule</c> that names the field at fault.
/// </summary>
internal static class ScheduleConfigParser
{
    private const string Key = "schedule";
    private static readonly string[] Fields = ["every", "anchor", "cron", "time_zone"];
    // "H" reads one or two digits, so these also take "02:30" and "23:59:30".
    private static readonly string[] AnchorFormats = ["H:mm", "H:mm:ss"];

    public static ReplicationSchedule? Parse(JsonElement? value, TimeZoneInfo connectionZone)
    {
        if (value is not { } schedule) return null;
        if (schedule.ValueKind != JsonValueKind.Object)
            throw Wrong("must be an object: {\"every\": \"60m\"}, {\"every\": \"6h\", \"anchor\": \"02:30\"} or {\"cron\": \"0 */2 * * *\"}");
        foreach (var field in schedule.EnumerateObject())
        {
            if (!Fields.Contains(field.Name)) throw Wrong($"unknown field '{field.Name}'; use every, anchor, cron or time_zone");
        }

        var every = Field(schedule, "every");
        var anchor = Field(schedule, "anchor");
        var cron = Field(schedule, "cron");
        var zone = Field(schedule, "time_zone");

        if (cron is { } cronValue)
        {
            if (every is not null || anchor is not null) throw Wrong("give either 'cron' or 'every' (with an optional 'anchor'), not both");
            return new CronSchedule(ParseCron(cronValue), ParseZone(zone) ?? connectionZone);
        }
        if (every is not { } everyValue) throw Wrong("give 'every' (e.g. \"60m\") or 'cron'");
        if (anchor is not { } anchorValue)
        {
            if (zone is not null) throw Wrong("'time_zone' applies to an 'anchor' or a 'cron' only");
            return new IntervalSchedule(ParseEvery(everyValue, IntervalSchedule.MaximumEvery, "365d"));
        }
        return new AnchoredSchedule(ParseEvery(everyValue, AnchoredSchedule.MaximumEvery, "24h with an anchor"), ParseAnchor(anchorValue), ParseZone(zone) ?? connectionZone);
    }

    private static JsonElement? Field(JsonElement schedule, string name) =>
        schedule.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    /// <summary>A number is minutes; a string may be <c>5s</c>, <c>30m</c>, <c>6h</c>, <c>1d</c> or <c>hh:mm:ss</c>.</summary>
    private static TimeSpan ParseEvery(JsonElement value, TimeSpan maximum, string maximumText)
    {
        var every = DurationText.Parse(value, TimeSpan.FromMinutes(1))
            ?? throw Wrong($"'every' {value.GetRawText()} is not a duration: minutes as a number, or '5s', '30m', '6h', '1d', 'hh:mm:ss'");
        if (every < ReplicationSchedule.MinimumEvery) throw Wrong($"'every' {value.GetRawText()} is more often than once a second");
        if (every > maximum) throw Wrong($"'every' {value.GetRawText()} is longer than the most allowed, {maximumText}");
        return every;
    }

    private static TimeOnly ParseAnchor(JsonElement value) =>
        value.ValueKind == JsonValueKind.String
        && TimeOnly.TryParseExact(value.GetString()!.Trim(), AnchorFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var anchor)
            ? anchor
            : throw Wrong($"'anchor' {value.GetRawText()} is not a time of day: give 24-hour 'HH:mm', e.g. \"02:30\"");

    private static string ParseCron(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String) throw Wrong("'cron' must be a string, e.g. \"0 */2 * * *\"");
        var expression = value.GetString()!;
        return CronSchedule.Problem(expression) is { } problem ? throw Wrong(problem) : expression;
    }

    private static TimeZoneInfo? ParseZone(JsonElement? value)
    {
        if (value is not { } zone) return null;
        return zone.ValueKind == JsonValueKind.String && IanaTimeZone.Find(zone.GetString()!.Trim()) is { } found
            ? found
            : throw Wrong($"'time_zone' {zone.GetRawText()} is not a known IANA time zone id (case matters) such as \"Europe/Paris\" or \"UTC\"");
    }

    private static ConfigException Wrong(string reason) => new(Key, reason);
}
