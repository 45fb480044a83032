using System.Globalization;
using ResponsysCluster.Domain.Scheduling;

namespace ResponsysCluster.Domain.Tests;

public sealed class IntervalScheduleTests
{
    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(60, "2024-01-10T10:00:00Z", null, "2024-01-10T10:00:00Z")]
    [InlineData(60, "2024-01-10T10:00:00Z", "2024-01-10T09:30:00Z", "2024-01-10T10:30:00Z")]
    [InlineData(60, "2024-01-10T10:00:00Z", "2024-01-10T09:00:01Z", "2024-01-10T10:00:01Z")]
    [InlineData(60, "2024-01-10T10:00:00Z", "2024-01-10T09:00:00Z", "2024-01-10T10:00:00Z")]
    [InlineData(60, "2024-01-10T10:00:00Z", "2024-01-10T07:00:00Z", "2024-01-10T10:00:00Z")]
    [InlineData(1, "2024-01-10T10:00:00Z", "2024-01-10T10:00:00Z", "2024-01-10T10:01:00Z")]
    [InlineData(1440, "2024-03-31T12:00:00+02:00", "2024-03-30T12:00:00+01:00", "2024-03-31T12:00:00+01:00")]
    public void Should_run_every_interval_after_the_last_start_and_never_before_now(int minutes, string now, string? lastStart, string expected)
    {
        var schedule = new IntervalSchedule(TimeSpan.FromMinutes(minutes));
        Assert.Equal(At(expected), schedule.NextAfter(At(now), lastStart is null ? null : At(lastStart)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-60)]
    [InlineData(0.999)]
    [InlineData(365 * 24 * 3600 + 1)]
    public void Should_refuse_an_interval_outside_one_second_to_a_year(double seconds)
    {
        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => new IntervalSchedule(TimeSpan.FromSeconds(seconds)));
        Assert.Equal(TimeSpan.FromSeconds(seconds), refused.ActualValue);
        Assert.StartsWith("must be between 00:00:01 and 365.00:00:00", refused.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(3600)]
    [InlineData(365 * 24 * 3600)]
    public void Should_accept_an_interval_from_one_second_to_a_year_inclusive(int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), new IntervalSchedule(TimeSpan.FromSeconds(seconds)).Every);
    }
}
