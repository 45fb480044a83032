namespace ResponsysCluster.Csv;

/// <summary>
/// Names every column of a header row uniquely, so a file with an unnamed or repeated column still loads: a column
/// without a name becomes <c>column_N</c> (its 1-based position), a repeated name gets <c>_2</c>, <c>_3</c>… on its
/// later occurrences, and a generated name never takes one the header already uses.
/// </summary>
public static class HeaderNames
{
    public static List<string> Unique(IReadOnlyList<string> header)
    {
        var taken = header.Where(name => !string.IsNullOrWhiteSpace(name)).ToHashSet(StringComparer.Ordinal);
        var assigned = new HashSet<string>(StringComparer.Ordinal);
        var unique = new List<string>(header.Count);
        for (var i = 0; i < header.Count; i++)
        {
            var name = header[i];
            if (string.IsNullOrWhiteSpace(name)) name = Free($"column_{i + 1}", taken, assigned);
            else if (!assigned.Add(name)) name = Free(name, taken, assigned, first: 2);
            else
            {
                unique.Add(name);
                continue;
            }
            assigned.Add(name);
            unique.Add(name);
        }
        return unique;
    }

    private static string Free(string stem, HashSet<string> taken, HashSet<string> assigned, int first = 1)
    {
        for (var k = first; ; k++)
        {
            var candidate = k == 1 ? stem : $"{stem}_{k}";
            if (!taken.Contains(candidate) && !assigned.Contains(candidate)) return candidate;
        }
    }
}
