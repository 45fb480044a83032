using System.Globalization;
using System.Text;

namespace ResponsysCluster.Domain;

/// <summary>
/// Text from outside (file and table names above all) as reports and logs show it: a control character is written
/// as an escape (<c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\x1b</c>, <c>\u0085</c>), so that a name can neither forge a
/// line of a report nor send an escape sequence to a terminal. Everything else is kept as it is.
/// </summary>
public static class PrintableText
{
    public static string Escape(string text)
    {
        if (!text.Any(NeedsEscape)) return text;
        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (!NeedsEscape(c)) escaped.Append(c);
            else if (c == '\n') escaped.Append("\\n");
            else if (c == '\r') escaped.Append("\\r");
            else if (c == '\t') escaped.Append("\\t");
            else if (c < 0x80) escaped.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            else escaped.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
        }
        return escaped.ToString();
    }

    // C0, DEL and C1 controls, and the Unicode line and paragraph separators some terminals break lines at.
    private static bool NeedsEscape(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
