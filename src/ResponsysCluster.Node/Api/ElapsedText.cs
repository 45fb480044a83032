using System.Globalization;

namespace ResponsysCluster.Node.Api;

/// <summary>A duration as a person reads it at a glance: its two largest units, in whole seconds (<c>3 h 05 min</c>).</summary>
public static class ElapsedText
{
    public static string Of(TimeSpan duration)
    {
        // A file modified after this node's now (clocks apart) shows as a negative lag rather than none.
        if (duration < TimeSpan.Zero) return "-" + Of(duration.Duration());
        var seconds = (long)duration.TotalSeconds;
        var (days, hours, minutes) = (seconds / 86_400, seconds / 3_600 % 24, seconds / 60 % 60);
        return seconds switch
        {
            < 60 => Text($"{seconds} s"),
            < 3_600 => Text($"{minutes} min {seconds % 60:00} s"),
            < 86_400 => Text($"{hours} h {minutes:00} min"),
            _ => Text($"{days} d {hours:00} h"),
        };
    }

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
