namespace ResponsysCluster.Node.Ctl;

/// <summary>Rows printed as aligned columns under a header, for a terminal.</summary>
public static class TextTable
{
    public static string Render(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = new List<IReadOnlyList<string>> { header };
        all.AddRange(rows);
        var widths = Enumerable.Range(0, header.Count).Select(c => all.Max(r => r[c].Length)).ToArray();
        return string.Concat(all.Select(r => string.Join("  ", r.Select((cell, c) => c == r.Count - 1 ? cell : cell.PadRight(widths[c]))).TrimEnd() + "\n"));
    }
}
