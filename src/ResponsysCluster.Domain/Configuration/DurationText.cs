using System.Globalization;
using System.Text.Json;

namespace ResponsysCluster.Domain.Configuration;

/// <summary>
/// Durations as configurations write them: a bare number (JSON number or numeric string) in a unit the key
/// chooses, or a string such as <c>90m</c>, <c>24h</c>, <c>2d</c>, <c>3600s</c> or <c>hh:mm:ss</c>.
/// </summary>
internal static class DurationText
{
    /// <summary>The positive duration <paramref name="value"/> holds; null when it holds none.</summary>
    public static TimeSpan? Parse(JsonElement value, TimeSpan bareNumberUnit) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetDouble(out var amount) => Times(bareNumberUnit, amount),
        JsonValueKind.String => Parse(value.GetString()!.Trim(), bareNumberUnit),
        _ => null,
    };

    private static TimeSpan? Parse(string text, TimeSpan bareNumberUnit)
    {
        // A numeric string reads like the number it spells: "48" must not become 48 days through TimeSpan.Parse.
        if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var bare))
            return Times(bareNumberUnit, bare);
        if (text.Length < 2) return null;
        if (double.TryParse(text[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            return char.ToLowerInvariant(text[^1]) switch
            {
                's' => Times(TimeSpan.FromSeconds(1), amount),
                'm' => Times(TimeSpan.FromMinutes(1), amount),
                'h' => Times(TimeSpan.FromHours(1), amount),
                'd' => Times(TimeSpan.FromDays(1), amount),
                _ => null,
            };
        }
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero ? span : null;
    }

    private static TimeSpan? Times(TimeSpan unit, double amount)
    {
        if (!double.IsFinite(amount) || amount <= 0) return null;
        try
        {
            return unit * amount;
        }
        catch (OverflowException)
        {
            return null;
        }
    }
}
