namespace ResponsysCluster.Domain.Schema;

/// <summary>
/// Parses the date-time forms Responsys writes, by hand for speed (it runs on every date-time value of a sync):
/// <list type="bullet">
/// <item>ISO-8601: <c>2018-09-11</c>, <c>2018-09-11T09:11[:02[.123456]]</c> (also with a space for the T; up to 9
/// fraction digits, those past the sixth zeros),
/// optionally followed by <c>Z</c>, <c>±hh:mm</c>, <c>±hhmm</c> or <c>±hh</c>;</item>
/// <item>Oracle's <c>10-SEP-2018 19:27:52</c> (<c>dd-MMM-yyyy[ HH:mm:ss]</c>, month in any case);</item>
/// <item><c>09/11/2018 09:11:02</c> (<c>MM/dd/yyyy[ HH:mm[:ss]][ AM|PM]</c>).</item>
/// </list>
/// Words, numbers and anything else are not date-times.
/// </summary>
public static class ResponsysDateTime
{
    private static readonly string[] Months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

    /// <summary>
    /// Parses <paramref name="text"/>. <paramref name="value"/> is UTC when the text carries an offset
    /// (<paramref name="hasOffset"/> true), otherwise a wall-clock time of Kind Unspecified.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DateTime value, out bool hasOffset)
    {
        value = default;
        hasOffset = false;
        // The shortest form is "9/1/2018", the longest "2018-09-11T09:11:02.123456789+02:00" (35 characters).
        if (text.Length is < 8 or > 35) return false;
        // Each parser checks its whole form: these tests only pick the one that may match.
        if (text[4] == '-') return TryParseIso(text, out value, out hasOffset);
        if (text[1] == '/' || text[2] == '/') return TryParseUs(text, out value);
        return TryParseOracle(text, out value);
    }

    /// <summary>As <see cref="TryParse(ReadOnlySpan{char}, out DateTime, out bool)"/>, wall-clock times read as UTC (Singer's rule).</summary>
    public static bool TryParseUtc(ReadOnlySpan<char> text, out DateTime utc)
    {
        if (!TryParse(text, out utc, out _)) return false;
        utc = DateTime.SpecifyKind(utc, DateTimeKind.Utc);
        return true;
    }

    private static bool TryParseIso(ReadOnlySpan<char> s, out DateTime value, out bool hasOffset)
    {
        value = default;
        hasOffset = false;
        var i = 0;
        if (!Digits(s, ref i, 4, out var year) || !Char(s, ref i, '-') || !Digits(s, ref i, 2, out var month)
            || !Char(s, ref i, '-') || !Digits(s, ref i, 2, out var day)) return false;

        int hour = 0, minute = 0, second = 0;
        long ticks = 0;
        if (i < s.Length && (s[i] == 'T' || s[i] == 't' || s[i] == ' '))
        {
            i++;
            if (!Digits(s, ref i, 2, out hour) || !Char(s, ref i, ':') || !Digits(s, ref i, 2, out minute)) return false;
            if (i < s.Length && s[i] == ':')
            {
                i++;
                if (!Digits(s, ref i, 2, out second)) return false;
                if (i < s.Length && (s[i] == '.' || s[i] == ','))
                {
                    i++;
                    if (!Fraction(s, ref i, out ticks)) return false;
                }
            }
        }

        var offset = TimeSpan.Zero;
        if (i < s.Length)
        {
            if (!Offset(s, ref i, out offset)) return false;
            hasOffset = true;
        }
        if (i != s.Length || !TryBuild(year, month, day, hour, minute, second, ticks, out var local)) return false;

        if (hasOffset)
        {
            var utcTicks = local.Ticks - offset.Ticks;
            if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks) return false;
            value = new DateTime(utcTicks, DateTimeKind.Utc);
        }
        else
        {
            value = local;
        }
        return true;
    }

    private static bool TryParseOracle(ReadOnlySpan<char> s, out DateTime value)
    {
        value = default;
        var i = 0;
        if (!DigitsUpTo(s, ref i, 2, out var day) || !Char(s, ref i, '-')) return false;
        // At most 3 characters read so far, and the text has at least 8: the month name is there to slice.
        var name = s.Slice(i, 3);
        var month = 0;
        for (var m = 0; m < Months.Length && month == 0; m++)
            if (name.Equals(Months[m], StringComparison.OrdinalIgnoreCase)) month = m + 1;
        if (month == 0) return false;
        i += 3;
        if (!Char(s, ref i, '-') || !Digits(s, ref i, 4, out var year)) return false;
        return TimeOfDay(s, ref i, out var hour, out var minute, out var second)
            && i == s.Length && TryBuild(year, month, day, hour, minute, second, 0, out value);
    }

    private static bool TryParseUs(ReadOnlySpan<char> s, out DateTime value)
    {
        value = default;
        var i = 0;
        if (!DigitsUpTo(s, ref i, 2, out var month) || !Char(s, ref i, '/') || !DigitsUpTo(s, ref i, 2, out var day)
            || !Char(s, ref i, '/') || !Digits(s, ref i, 4, out var year)) return false;
        if (!TimeOfDay(s, ref i, out var hour, out var minute, out var second)) return false;
        if (s.Length - i == 3 && s[i] == ' ' && hour is >= 1 and <= 12)
        {
            var meridiem = s.Slice(i + 1, 2);
            if (meridiem.Equals("AM", StringComparison.OrdinalIgnoreCase)) hour %= 12;
            else if (meridiem.Equals("PM", StringComparison.OrdinalIgnoreCase)) hour = hour % 12 + 12;
            else return false;
            i += 3;
        }
        return i == s.Length && TryBuild(year, month, day, hour, minute, second, 0, out value);
    }

    /// <summary>An optional " HH:mm[:ss]".</summary>
    private static bool TimeOfDay(ReadOnlySpan<char> s, ref int i, out int hour, out int minute, out int second)
    {
        hour = minute = second = 0;
        if (i == s.Length) return true;
        if (s[i] != ' ') return false;
        i++;
        if (!Digits(s, ref i, 2, out hour) || !Char(s, ref i, ':') || !Digits(s, ref i, 2, out minute)) return false;
        if (i < s.Length && s[i] == ':')
        {
            i++;
            return Digits(s, ref i, 2, out second);
        }
        return true;
    }

    private static bool Offset(ReadOnlySpan<char> s, ref int i, out TimeSpan offset)
    {
        offset = TimeSpan.Zero;
        if (s[i] == 'Z' || s[i] == 'z')
        {
            i++;
            return true;
        }
        if (s[i] != '+' && s[i] != '-') return false;
        var sign = s[i] == '-' ? -1 : 1;
        i++;
        if (!Digits(s, ref i, 2, out var hours)) return false;
        var minutes = 0;
        if (i < s.Length)
        {
            if (s[i] == ':') i++;
            if (!Digits(s, ref i, 2, out minutes)) return false;
        }
        if (hours > 18 || minutes > 59) return false;
        offset = new TimeSpan(sign * hours, sign * minutes, 0);
        return true;
    }

    // PostgreSQL keeps microseconds: a fraction with a non-zero digit past the sixth is not a date-time it can hold
    // (it stays text), so no digit is cut without a word.
    private const int MaxFractionDigits = 6;

    private static bool Fraction(ReadOnlySpan<char> s, ref int i, out long ticks)
    {
        ticks = 0;
        var start = i;
        long scale = TimeSpan.TicksPerSecond;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            if (i - start < MaxFractionDigits)
            {
                scale /= 10;
                ticks += (s[i] - '0') * scale;
            }
            else if (s[i] != '0') return false;
            i++;
        }
        return i > start && i - start <= 9;
    }

    private static bool TryBuild(int year, int month, int day, int hour, int minute, int second, long ticks, out DateTime value)
    {
        value = default;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59) return false;
        value = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(ticks);
        return true;
    }

    private static bool Digits(ReadOnlySpan<char> s, ref int i, int count, out int number)
    {
        number = 0;
        if (i + count > s.Length) return false;
        for (var end = i + count; i < end; i++)
        {
            if (!char.IsAsciiDigit(s[i])) return false;
            number = number * 10 + (s[i] - '0');
        }
        return true;
    }

    private static bool DigitsUpTo(ReadOnlySpan<char> s, ref int i, int max, out int number)
    {
        number = 0;
        var start = i;
        while (i < s.Length && i - start < max && char.IsAsciiDigit(s[i]))
            number = number * 10 + (s[i++] - '0');
        return i > start;
    }

    private static bool Char(ReadOnlySpan<char> s, ref int i, char expected)
    {
        if (i >= s.Length || s[i] != expected) return false;
        i++;
        return true;
    }
}
