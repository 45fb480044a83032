namespace ResponsysCluster.Domain.Schema;

/// <summary>
/// Recognises the value forms Responsys writes. Integers and numbers follow JSON's number grammar, so a value
/// with a leading zero (a postal code "07050", an id "0012") is text and no digit is ever lost.
/// </summary>
public static class ResponsysValues
{
    /// <summary><c>-?(0|[1-9][0-9]*)</c></summary>
    public static bool IsInteger(ReadOnlySpan<char> value)
    {
        var digits = value.Length > 0 && value[0] == '-' ? value[1..] : value;
        if (digits.Length == 0 || (digits[0] == '0' && digits.Length > 1)) return false;
        foreach (var c in digits)
            if (!char.IsAsciiDigit(c)) return false;
        return true;
    }

    /// <summary>A JSON number: <c>-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?</c></summary>
    public static bool IsNumber(ReadOnlySpan<char> value)
    {
        var i = 0;
        if (i < value.Length && value[i] == '-') i++;
        var intStart = i;
        while (i < value.Length && char.IsAsciiDigit(value[i])) i++;
        var intLength = i - intStart;
        if (intLength == 0 || (intLength > 1 && value[intStart] == '0')) return false;
        if (i < value.Length && value[i] == '.')
        {
            var fractionStart = ++i;
            while (i < value.Length && char.IsAsciiDigit(value[i])) i++;
            if (i == fractionStart) return false;
        }
        if (i < value.Length && (value[i] == 'e' || value[i] == 'E'))
        {
            i++;
            if (i < value.Length && (value[i] == '+' || value[i] == '-')) i++;
            var exponentStart = i;
            while (i < value.Length && char.IsAsciiDigit(value[i])) i++;
            if (i == exponentStart) return false;
        }
        return i == value.Length;
    }
}
