using System.Globalization;

namespace ResponsysCluster.Domain.Scheduling;

/// <summary>
/// Runs at the times a cron expression names, read in <see cref="Zone"/>. Five fields (minute hour day month
/// weekday) or six (seconds first). The domain only checks its shape; the engine computes its times.
/// </summary>
public sealed record CronSchedule(string Expression, TimeZoneInfo Zone) : ReplicationSchedule
{
    /// <summary>The expression with its fields separated by single spaces.</summary>
    public string Expression { get; } = Problem(Expression) is { } problem
        ? throw new ArgumentException(problem, nameof(Expression))
        : Normalize(Expression);

    /// <summary>True for a six-field expression, whose first field is the second.</summary>
    public bool IncludesSeconds => Expression.Count(c => c == ' ') == 5;

    /// <summary>Why <paramref name="expression"/> cannot be a schedule's cron expression; null when it can.</summary>
    public static string? Problem(string expression)
    {
        var fields = Fields(expression);
        if (fields.Length is not (5 or 6))
            return $"cron '{expression}' has {fields.Length} fields; give 5 (minute hour day month weekday) or 6 (second first)";
        // One number in the seconds field keeps a six-field expression to at most one run a minute.
        if (fields.Length == 6 && !(int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var second) && second <= 59))
            return $"cron '{expression}' would run more than once a minute; give its seconds field as one number, e.g. '0 0 */2 * * *'";
        return null;
    }

    private static string Normalize(string expression) => string.Join(' ', Fields(expression));

    private static string[] Fields(string expression) => expression.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
}
