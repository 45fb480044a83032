using System.Globalization;
using ResponsysCluster.Domain.Scheduling;

namespace ResponsysCluster.Domain.Tests;

public sealed class AnchoredScheduleTests
{
    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    private static AnchoredSchedule Schedule(double everyHours, string anchor, string zone = "UTC") =>
        new(TimeSpan.FromHours(everyHours), TimeOnly.Parse(anchor, CultureInfo.InvariantCulture), TimeZoneInfo.FindSystemTimeZoneById(zone));

    [Theory]
    // Daily: the anchor later today, or tomorrow's once it has passed.
    [InlineData(24, "02:30", "2024-01-10T01:00:00Z", "2024-01-10T02:30:00Z")]
    [InlineData(24, "02:30", "2024-01-10T10:00:00Z", "2024-01-11T02:30:00Z")]
    [InlineData(24, "02:30", "2024-01-10T02:30:00Z", "2024-01-11T02:30:00Z")]
    // Every 6 h from 02:30: 02:30, 08:30, 14:30, 20:30.
    [InlineData(6, "02:30", "2024-01-10T00:00:00Z", "2024-01-10T02:30:00Z")]
    [InlineData(6, "02:30", "2024-01-10T02:30:00Z", "2024-01-10T08:30:00Z")]
    [InlineData(6, "02:30", "2024-01-10T08:29:59Z", "2024-01-10T08:30:00Z")]
    [InlineData(6, "02:30", "2024-01-10T15:00:00Z", "2024-01-10T20:30:00Z")]
    [InlineData(6, "02:30", "2024-01-10T21:00:00Z", "2024-01-11T02:30:00Z")]
    // An anchor in the afternoon still runs in the small hours: yesterday's series goes on past midnight.
    [InlineData(6, "14:30", "2024-01-10T03:00:00Z", "2024-01-10T08:30:00Z")]
    // 5 h does not divide a day: 02:30, 07:30, 12:30, 17:30, 22:30, then the anchor again.
    [InlineData(5, "02:30", "2024-01-10T23:00:00Z", "2024-01-11T02:30:00Z")]
    [InlineData(5, "02:30", "2024-01-10T22:00:00Z", "2024-01-10T22:30:00Z")]
    // Hourly from 00:15, and across the end of a month and a year.
    [InlineData(1, "00:15", "2024-01-10T10:20:00Z", "2024-01-10T11:15:00Z")]
    [InlineData(1, "00:15", "2024-12-31T23:20:00Z", "2025-01-01T00:15:00Z")]
    // Local time of the zone: 02:30 in Paris is 01:30 UTC in winter.
    [InlineData(24, "02:30", "2024-01-10T01:00:00Z", "2024-01-10T02:30:00+01:00", "Europe/Paris")]
    [InlineData(24, "02:30", "2024-01-10T01:30:00Z", "2024-01-11T02:30:00+01:00", "Europe/Paris")]
    [InlineData(6, "02:30", "2024-07-10T00:00:00Z", "2024-07-10T02:30:00+02:00", "Europe/Paris")]
    [InlineData(6, "02:30", "2024-07-10T10:00:00Z", "2024-07-10T14:30:00+02:00", "Europe/Paris")]
    [InlineData(24, "09:00", "2024-01-10T12:00:00Z", "2024-01-10T09:00:00-08:00", "America/Los_Angeles")]
    public void Should_run_at_the_first_anchor_plus_a_multiple_of_every_after_now(double every, string anchor, string now, string expected, string zone = "UTC")
    {
        var next = Schedule(every, anchor, zone).NextAfter(At(now), lastStart: null);
        Assert.Equal(At(expected), next);
        Assert.Equal(At(expected).Offset, next.Offset);
    }

    [Theory]
    // Spring, 31 March 2024: Paris clocks go from 02:00 CET to 03:00 CEST (01:00 UTC). 02:30 does not exist and
    // runs when the clocks land, at 03:00; the runs after it keep their wall-clock times.
    [InlineData(24, "02:30", "2024-03-30T12:00:00Z", "2024-03-31T03:00:00+02:00")]
    [InlineData(24, "02:30", "2024-03-31T01:00:00Z", "2024-04-01T02:30:00+02:00")]
    [InlineData(24, "02:30:20", "2024-03-30T12:00:00Z", "2024-03-31T03:00:00+02:00")]
    [InlineData(6, "02:30", "2024-03-30T20:00:00Z", "2024-03-31T03:00:00+02:00")]
    [InlineData(6, "02:30", "2024-03-31T01:00:00Z", "2024-03-31T08:30:00+02:00")]
    [InlineData(6, "02:30", "2024-03-31T07:00:00Z", "2024-03-31T14:30:00+02:00")]
    [InlineData(1, "00:00", "2024-03-31T00:30:00Z", "2024-03-31T03:00:00+02:00")]
    [InlineData(1, "00:00", "2024-03-31T01:00:00Z", "2024-03-31T04:00:00+02:00")]
    // Autumn, 27 October 2024: 03:00 CEST goes back to 02:00 CET (01:00 UTC). 02:30 happens twice and runs once,
    // in its first pass; the next day's 02:30 is CET.
    [InlineData(24, "02:30", "2024-10-26T12:00:00Z", "2024-10-27T02:30:00+02:00")]
    [InlineData(24, "02:30", "2024-10-27T00:30:00Z", "2024-10-28T02:30:00+01:00")]
    [InlineData(6, "02:30", "2024-10-27T00:30:00Z", "2024-10-27T08:30:00+01:00")]
    [InlineData(6, "20:30", "2024-10-26T15:00:00Z", "2024-10-26T20:30:00+02:00")]
    [InlineData(6, "20:30", "2024-10-26T18:30:00Z", "2024-10-27T02:30:00+02:00")]
    [InlineData(0.25, "00:00", "2024-10-26T23:50:00Z", "2024-10-27T02:00:00+02:00")]
    [InlineData(0.25, "00:00", "2024-10-27T00:50:00Z", "2024-10-27T03:00:00+01:00")]
    [InlineData(0.25, "00:00", "2024-10-27T01:40:00Z", "2024-10-27T03:00:00+01:00")]
    public void Should_keep_wall_clock_times_across_daylight_saving_changes_in_paris(double every, string anchor, string now, string expected)
    {
        var next = Schedule(every, anchor, "Europe/Paris").NextAfter(At(now), lastStart: null);
        Assert.Equal(At(expected), next);
        Assert.Equal(At(expected).Offset, next.Offset);
    }

    [Fact]
    public void Should_not_make_up_a_run_missed_while_down()
    {
        var schedule = Schedule(6, "02:30");
        Assert.Equal(At("2024-01-10T14:30:00Z"), schedule.NextAfter(At("2024-01-10T09:00:00Z"), lastStart: At("2024-01-10T02:30:00Z")));
    }

    [Fact]
    public void Should_follow_every_run_of_a_day_in_order()
    {
        var schedule = Schedule(6, "02:30", "Europe/Paris");
        var runs = new List<DateTimeOffset>();
        var now = At("2024-03-30T23:00:00Z");
        for (var i = 0; i < 5; i++) runs.Add(now = schedule.NextAfter(now, now));

        Assert.Equal(
            [At("2024-03-31T03:00:00+02:00"), At("2024-03-31T08:30:00+02:00"), At("2024-03-31T14:30:00+02:00"), At("2024-03-31T20:30:00+02:00"), At("2024-04-01T02:30:00+02:00")],
            runs);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(0.999)]
    [InlineData(24 * 3600 + 1)]
    public void Should_refuse_every_outside_one_second_to_a_day(double seconds)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AnchoredSchedule(TimeSpan.FromSeconds(seconds), new TimeOnly(2, 30), TimeZoneInfo.Utc));
    }

    [Fact]
    public void Should_run_every_few_seconds_from_the_anchor()
    {
        var schedule = new AnchoredSchedule(TimeSpan.FromSeconds(5), new TimeOnly(2, 30), TimeZoneInfo.Utc);

        Assert.Equal(At("2024-03-10T02:30:05+00:00"), schedule.NextAfter(At("2024-03-10T02:30:03+00:00"), null));
        Assert.Equal(At("2024-03-10T02:30:10+00:00"), schedule.NextAfter(At("2024-03-10T02:30:05+00:00"), null));
    }
}
