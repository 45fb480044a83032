namespace ResponsysCluster.TestServers;

/// <summary>
/// Reads the shell-sourceable <c>KEY=VALUE</c> files that <c>deploy/local/*.sh</c> write
/// (<c>sftp.env</c>, <c>postgres.env</c>). Values may be wrapped in single or double quotes.
/// </summary>
public static class EnvFile
{
    /// <summary>Parses the file into a case-sensitive dictionary; blank lines and <c>#</c> comments are skipped.</summary>
    public static IReadOnlyDictionary<string, string> Read(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var rawLine in File.ReadAllLines(path))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line["export ".Length..].TrimStart();
            }
            var equals = line.IndexOf('=');
            if (equals <= 0)
            {
                throw new FormatException($"{path}: not a KEY=VALUE line: {rawLine}");
            }
            values[line[..equals]] = Unquote(line[(equals + 1)..]);
        }
        return values;
    }

    /// <summary>The value of <paramref name="key"/>; throws naming the file when it is missing.</summary>
    public static string Require(this IReadOnlyDictionary<string, string> values, string key, string path) =>
        values.TryGetValue(key, out var value) && value.Length > 0
            ? value
            : throw new InvalidOperationException($"{path} has no value for {key}.");

    private static string Unquote(string value)
    {
        if (value.Length >= 2 && value[0] == '\'' && value[^1] == '\'')
        {
            // Shell single quotes: '\'' stands for one quote.
            return value[1..^1].Replace("'\\''", "'", StringComparison.Ordinal);
        }
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
        {
            return value[1..^1];
        }
        return value;
    }
}
