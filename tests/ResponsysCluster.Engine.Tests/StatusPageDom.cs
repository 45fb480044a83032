using System.Net;
using System.Text.RegularExpressions;

namespace ResponsysCluster.Engine.Tests;

/// <summary>Reads the status page's tables back from the DOM a browser rendered: each row's cells by their class.</summary>
internal static partial class StatusPageDom
{
    [GeneratedRegex(@"<tr\b[^>]*>(?<cells>.*?)</tr>", RegexOptions.Singleline)]
    private static partial Regex Row();

    [GeneratedRegex(@"<td class=""(?<class>[^"" ]+)[^""]*""[^>]*>(?<text>.*?)</td>", RegexOptions.Singleline)]
    private static partial Regex Cell();

    [GeneratedRegex(@"<[^>]+>")]
    private static partial Regex Tag();

    [GeneratedRegex(@"<p class=""unread"">(?<text>.*?)</p>", RegexOptions.Singleline)]
    private static partial Regex UnreadLine();

    /// <summary>The body rows of the table <paramref name="id"/>, each cell's text keyed by the first class of its cell.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Rows(string dom, string id)
    {
        var start = dom.IndexOf($"<table id=\"{id}\">", StringComparison.Ordinal);
        Assert.True(start >= 0, $"the page has no table {id}:\n{dom}");
        var body = dom[dom.IndexOf("<tbody>", start, StringComparison.Ordinal)..dom.IndexOf("</table>", start, StringComparison.Ordinal)];
        return Row().Matches(body).Select(row => (IReadOnlyDictionary<string, string>)Cell().Matches(row.Groups["cells"].Value)
            .ToDictionary(c => c.Groups["class"].Value, c => Text(c.Groups["text"].Value))).ToList();
    }

    /// <summary>The page's lines saying what could not be read.</summary>
    public static IReadOnlyList<string> Unread(string dom) => UnreadLine().Matches(dom).Select(m => Text(m.Groups["text"].Value)).ToList();

    private static string Text(string html) => WebUtility.HtmlDecode(Tag().Replace(html, "")).Trim();
}
