using System.Globalization;
using ResponsysCluster.Domain.Scheduling;

namespace ResponsysCluster.Domain.Tests;

public sealed class RunGateTests
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 10, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(false, RunGateDecision.StartNow)]
    [InlineData(true, RunGateDecision.SkipBecauseRunning)]
    public void Should_start_a_run_only_when_none_is_going(bool running, RunGateDecision expected)
    {
        var gate = running ? RunGate.Idle.TryStart(T0).Gate : RunGate.Idle;
        Assert.Equal(expected, gate.TryStart(T0.AddHours(1)).Decision);
    }

    [Fact]
    public void Should_keep_the_first_run_when_a_tick_comes_while_it_goes()
    {
        var (_, running) = RunGate.Idle.TryStart(T0);
        var (decision, after) = running.TryStart(T0.AddHours(1));

        Assert.Equal(RunGateDecision.SkipBecauseRunning, decision);
        Assert.Same(running, after);
        Assert.Equal(T0, after.RunningSince);
        Assert.Equal(T0, after.LastStart);
    }

    [Fact]
    public void Should_start_again_once_the_run_finished_and_remember_when_it_started()
    {
        var finished = RunGate.Idle.TryStart(T0).Gate.Finish();
        Assert.False(finished.IsRunning);
        Assert.Equal(T0, finished.LastStart);

        var (decision, again) = finished.TryStart(T0.AddHours(2));
        Assert.Equal(RunGateDecision.StartNow, decision);
        Assert.True(again.IsRunning);
        Assert.Equal(T0.AddHours(2), again.LastStart);
    }

    [Fact]
    public void Should_resume_from_the_latest_run_s_start_unless_a_run_started_since()
    {
        Assert.Equal(T0, RunGate.Idle.Resuming(T0).LastStart);
        Assert.False(RunGate.Idle.Resuming(T0).IsRunning);
        Assert.Null(RunGate.Idle.Resuming(null).LastStart);
        var started = RunGate.Idle.TryStart(T0.AddHours(1)).Gate;
        Assert.Equal(T0.AddHours(1), started.Resuming(T0).LastStart);
        Assert.True(started.Resuming(T0).IsRunning);
    }

    [Fact]
    public void Should_refuse_to_finish_a_run_that_is_not_going()
    {
        Assert.Throws<InvalidOperationException>(() => RunGate.Idle.Finish());
        Assert.Throws<InvalidOperationException>(() => RunGate.Idle.TryStart(T0).Gate.Finish().Finish());
        Assert.Equal("No run is going: a run finished twice or was never started.",
            Assert.Throws<InvalidOperationException>(() => RunGate.Idle.Finish()).Message);
    }

    [Fact]
    public void Should_start_idle()
    {
        Assert.False(RunGate.Idle.IsRunning);
        Assert.Null(RunGate.Idle.LastStart);
        Assert.Equal(RunGateDecision.StartNow, RunGate.Idle.TryStart(DateTimeOffset.Parse("2024-01-10T10:00:00Z", CultureInfo.InvariantCulture)).Decision);
    }
}
