using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Scheduling;

namespace ResponsysCluster.Domain.Tests;

public sealed class ScheduleConfigTests
{
    private static ConnectionConfig Parse(string extraKeys) =>
        ConnectionConfigParser.Parse($$"""{"host": "h", "username": "u", "path": "/p", "password": "x", {{extraKeys}}}""", "/home/me").Config;

    private static ReplicationSchedule? Schedule(string schedule) => Parse($$""" "schedule": {{schedule}} """).Schedule;

    [Theory]
    [InlineData(""" "port": 22 """)]
    [InlineData(""" "schedule": null """)]
    public void Should_have_no_schedule_when_none_is_given(string keys)
    {
        Assert.Null(Parse(keys).Schedule);
    }

    [Theory]
    [InlineData("60", 60)]
    [InlineData("1", 1)]
    [InlineData("1.5", 1.5)]
    [InlineData("\"60\"", 60)]
    [InlineData("\"30m\"", 30)]
    [InlineData("\"6h\"", 360)]
    [InlineData("\"1d\"", 1440)]
    [InlineData("\"90s\"", 1.5)]
    [InlineData("\"01:30:00\"", 90)]
    [InlineData("\"365d\"", 525600)]
    [InlineData("\"5s\"", 5.0 / 60)]
    [InlineData("\"1s\"", 1.0 / 60)]
    public void Should_read_every_as_minutes_or_with_a_unit(string every, double minutes)
    {
        Assert.Equal(new IntervalSchedule(TimeSpan.FromMinutes(minutes)), Schedule($$"""{"every": {{every}}}"""));
    }

    [Theory]
    [InlineData("""{"every": "6h", "anchor": "02:30"}""", 6, "02:30", "UTC")]
    [InlineData("""{"every": "6h", "anchor": "2:30"}""", 6, "02:30", "UTC")]
    [InlineData("""{"every": "24h", "anchor": "23:59:30"}""", 24, "23:59:30", "UTC")]
    [InlineData("""{"every": "24h", "anchor": "2:05:09"}""", 24, "02:05:09", "UTC")]
    [InlineData("""{"every": "24h", "anchor": " 14:00 "}""", 24, "14:00", "UTC")]
    [InlineData("""{"every": 60, "anchor": "00:00", "time_zone": "Europe/Paris"}""", 1, "00:00", "Europe/Paris")]
    public void Should_read_an_anchored_schedule(string schedule, double hours, string anchor, string zone)
    {
        var anchored = Assert.IsType<AnchoredSchedule>(Schedule(schedule));
        Assert.Equal(TimeSpan.FromHours(hours), anchored.Every);
        Assert.Equal(TimeOnly.Parse(anchor, System.Globalization.CultureInfo.InvariantCulture), anchored.Anchor);
        Assert.Equal(zone, anchored.Zone.Id);
    }

    [Theory]
    [InlineData("""{"cron": "0 */2 * * *"}""", "0 */2 * * *", false, "UTC")]
    [InlineData("""{"cron": "  0  */2 * * * ", "time_zone": "UTC"}""", "0 */2 * * *", false, "UTC")]
    [InlineData("""{"cron": "0 0 */2 * * *", "time_zone": "America/New_York"}""", "0 0 */2 * * *", true, "America/New_York")]
    [InlineData("""{"cron": "* * * * *"}""", "* * * * *", false, "UTC")]
    [InlineData("""{"cron": "59 0 */2 * * *"}""", "59 0 */2 * * *", true, "UTC")]
    public void Should_read_a_cron_schedule(string schedule, string expression, bool includesSeconds, string zone)
    {
        var cron = Assert.IsType<CronSchedule>(Schedule(schedule));
        Assert.Equal(expression, cron.Expression);
        Assert.Equal(includesSeconds, cron.IncludesSeconds);
        Assert.Equal(zone, cron.Zone.Id);
    }

    [Theory]
    [InlineData("""{"every": "6h", "anchor": "02:30"}""")]
    [InlineData("""{"cron": "30 2 * * *"}""")]
    public void Should_read_anchor_and_cron_in_the_connection_zone_unless_told(string schedule)
    {
        var config = Parse($$""" "time_zone": "Europe/Paris", "schedule": {{schedule}} """);
        var zone = config.Schedule switch
        {
            AnchoredSchedule anchored => anchored.Zone,
            CronSchedule cron => cron.Zone,
            _ => null,
        };
        Assert.Equal("Europe/Paris", zone?.Id);
    }

    [Theory]
    [InlineData("\"60m\"", "must be an object")]
    [InlineData("60", "must be an object")]
    [InlineData("""{"every": "60m", "at": "02:30"}""", "unknown field 'at'")]
    [InlineData("""{"anchor": "02:30"}""", "give 'every'")]
    [InlineData("""{"time_zone": "UTC"}""", "give 'every'")]
    [InlineData("""{"every": "60m", "cron": "0 * * * *"}""", "not both")]
    [InlineData("""{"anchor": "02:30", "cron": "0 * * * *"}""", "not both")]
    [InlineData("""{"every": "often"}""", "'every'")]
    [InlineData("""{"every": 0}""", "'every'")]
    [InlineData("""{"every": -5}""", "'every'")]
    [InlineData("""{"every": true}""", "'every'")]
    [InlineData("""{"every": "0.5s"}""", "more often than once a second")]
    [InlineData("""{"every": 0.01}""", "more often than once a second")]
    [InlineData("""{"every": "366d"}""", "365d")]
    [InlineData("""{"every": "1e308d"}""", "'every'")]
    [InlineData("""{"every": "25h", "anchor": "02:30"}""", "24h with an anchor")]
    [InlineData("""{"every": "6h", "anchor": "25:00"}""", "'anchor'")]
    [InlineData("""{"every": "6h", "anchor": "2:30pm"}""", "'anchor'")]
    [InlineData("""{"every": "6h", "anchor": 230}""", "'anchor'")]
    [InlineData("""{"every": "6h", "time_zone": "Europe/Paris"}""", "'time_zone' applies")]
    [InlineData("""{"every": "6h", "anchor": "02:30", "time_zone": "Paris"}""", "'time_zone'")]
    [InlineData("""{"cron": "0 */2 * * *", "time_zone": "Nowhere/Land"}""", "'time_zone'")]
    [InlineData("""{"cron": "0 */2 * *"}""", "4 fields")]
    [InlineData("""{"cron": "0 0 */2 * * * 2030"}""", "7 fields")]
    [InlineData("""{"cron": "@daily"}""", "1 fields")]
    [InlineData("""{"cron": "*/10 * * * * *"}""", "more than once a minute")]
    [InlineData("""{"cron": "60 * * * * *"}""", "more than once a minute")]
    [InlineData("""{"cron": 5}""", "'cron' must be a string")]
    public void Should_name_the_schedule_key_and_the_field_that_is_wrong(string schedule, string reason)
    {
        var error = Assert.Throws<ConfigException>(() => Schedule(schedule));
        Assert.Equal("schedule", error.Key);
        Assert.Contains("'schedule'", error.Message);
        Assert.Contains(reason, error.Message);
    }
}
