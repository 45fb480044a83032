using System.Globalization;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Scheduling;
using ResponsysCluster.Engine.Scheduling;

namespace ResponsysCluster.Engine.Tests.Scheduling;

public sealed class ScheduleTests
{
    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    private static ScheduleClock Cron(string expression, string zone) =>
        new(new CronSchedule(expression, TimeZoneInfo.FindSystemTimeZoneById(zone)));

    [Theory]
    // Every 2 hours, on the hour.
    [InlineData("0 */2 * * *", "UTC", "2024-01-10T01:00:00Z", "2024-01-10T02:00:00Z")]
    [InlineData("0 */2 * * *", "UTC", "2024-01-10T02:00:00Z", "2024-01-10T04:00:00Z")]
    [InlineData("0 */2 * * *", "UTC", "2024-01-10T23:30:00Z", "2024-01-11T00:00:00Z")]
    [InlineData("0 0 */2 * * *", "UTC", "2024-01-10T01:00:00Z", "2024-01-10T02:00:00Z")]
    // In a zone: even hours of its local time, with its offset.
    [InlineData("0 */2 * * *", "Asia/Kolkata", "2024-01-10T00:00:00Z", "2024-01-10T06:00:00+05:30")]
    [InlineData("0 */2 * * *", "America/New_York", "2024-01-10T12:30:00Z", "2024-01-10T08:00:00-05:00")]
    [InlineData("0 */2 * * *", "America/New_York", "2024-07-10T12:30:00Z", "2024-07-10T10:00:00-04:00")]
    [InlineData("30 2 * * 1-5", "Europe/Paris", "2024-01-12T02:00:00Z", "2024-01-15T02:30:00+01:00")]
    // Paris, spring: 02:00 does not exist and runs when the clocks land at 03:00.
    [InlineData("0 */2 * * *", "Europe/Paris", "2024-03-31T00:30:00Z", "2024-03-31T03:00:00+02:00")]
    [InlineData("0 */2 * * *", "Europe/Paris", "2024-03-31T01:00:00Z", "2024-03-31T04:00:00+02:00")]
    [InlineData("30 2 * * *", "Europe/Paris", "2024-03-30T12:00:00Z", "2024-03-31T03:00:00+02:00")]
    // Paris, autumn: a step expression runs in both passes of 02:00, a fixed time only in the first.
    [InlineData("0 */2 * * *", "Europe/Paris", "2024-10-27T00:00:00Z", "2024-10-27T02:00:00+01:00")]
    [InlineData("30 2 * * *", "Europe/Paris", "2024-10-27T00:30:00Z", "2024-10-28T02:30:00+01:00")]
    public void Should_give_the_next_cron_time_in_the_schedule_zone(string expression, string zone, string now, string expected)
    {
        var next = Cron(expression, zone).NextAfter(At(now), lastStart: At(now).AddHours(-1));
        Assert.Equal(At(expected), next);
        Assert.Equal(At(expected).Offset, next.Offset);
    }

    [Fact]
    public void Should_run_a_cron_schedule_every_two_hours_in_a_row()
    {
        var clock = Cron("0 */2 * * *", "Europe/Paris");
        var runs = new List<DateTimeOffset>();
        var now = At("2024-01-10T07:15:00+01:00");
        for (var i = 0; i < 4; i++) runs.Add(now = clock.NextAfter(now, now));

        Assert.Equal([At("2024-01-10T08:00:00+01:00"), At("2024-01-10T10:00:00+01:00"), At("2024-01-10T12:00:00+01:00"), At("2024-01-10T14:00:00+01:00")], runs);
    }

    [Theory]
    [InlineData("interval", "2024-01-10T10:00:00Z", "2024-01-10T09:30:00Z", "2024-01-10T10:30:00Z")]
    [InlineData("interval", "2024-01-10T10:00:00Z", null, "2024-01-10T10:00:00Z")]
    [InlineData("anchored", "2024-01-10T10:00:00Z", "2024-01-10T08:30:00Z", "2024-01-10T14:30:00Z")]
    [InlineData("anchored", "2024-01-10T21:00:00Z", null, "2024-01-11T02:30:00Z")]
    public void Should_let_interval_and_anchored_schedules_compute_their_own_times(string kind, string now, string? lastStart, string expected)
    {
        ReplicationSchedule schedule = kind == "interval"
            ? new IntervalSchedule(TimeSpan.FromHours(1))
            : new AnchoredSchedule(TimeSpan.FromHours(6), new TimeOnly(2, 30), TimeZoneInfo.Utc);
        Assert.Equal(At(expected), new ScheduleClock(schedule).NextAfter(At(now), lastStart is null ? null : At(lastStart)));
    }

    [Theory]
    [InlineData("61 * * * *")]
    [InlineData("0 25 * * *")]
    [InlineData("0 0 32 * *")]
    [InlineData("0 0 * 13 *")]
    [InlineData("0 0 * * MON-XYZ")]
    [InlineData("H * * * *")]
    [InlineData("0 0 30 2 *")]
    [InlineData("0 0 0 31 4 *")]
    public void Should_refuse_a_cron_expression_cronos_cannot_use_naming_the_schedule_key(string expression)
    {
        var error = Assert.Throws<ConfigException>(() => Cron(expression, "UTC"));
        Assert.Equal("schedule", error.Key);
        Assert.Contains(expression, error.Message);
    }
}
