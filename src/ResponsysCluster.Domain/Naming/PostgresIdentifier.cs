using System.Security.Cryptography;
using System.Text;

namespace ResponsysCluster.Domain.Naming;

/// <summary>
/// Turns Responsys table and column names into PostgreSQL identifiers: lower case, every character other than
/// a-z, 0-9 and _ folded to _, a leading digit prefixed with _, at most 63 bytes (cut names end with a short hash
/// of the original, so two long names that share a prefix stay apart). Identifiers are always quoted in SQL.
/// </summary>
public static class PostgresIdentifier
{
    public const int MaxBytes = 63;
    private const int HashLength = 8;

    public static string From(string name)
    {
        var folded = new StringBuilder(name.Length + 1);
        foreach (var c in name.ToLowerInvariant())
            folded.Append(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_' ? c : '_');
        if (folded.Length == 0 || char.IsAsciiDigit(folded[0])) folded.Insert(0, '_');

        var identifier = folded.ToString();
        return identifier.Length <= MaxBytes ? identifier : identifier[..(MaxBytes - HashLength - 1)] + "_" + ShortHash(name);
    }

    /// <summary>
    /// Identifiers for a list of names, unique among themselves and <paramref name="taken"/>: a name that folds
    /// onto one already used gets <c>_2</c>, <c>_3</c> … (still within 63 bytes).
    /// </summary>
    public static IReadOnlyList<string> Unique(IEnumerable<string> names, IEnumerable<string>? taken = null)
    {
        var used = new HashSet<string>(taken ?? [], StringComparer.Ordinal);
        var result = new List<string>();
        foreach (var name in names)
        {
            var identifier = From(name);
            for (var n = 2; !used.Add(identifier); n++)
            {
                var suffix = "_" + n;
                var stem = From(name);
                identifier = (stem.Length + suffix.Length <= MaxBytes ? stem : stem[..(MaxBytes - suffix.Length)]) + suffix;
            }
            result.Add(identifier);
        }
        return result;
    }

    /// <summary>The identifier in double quotes, with any double quote doubled.</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

    private static string ShortHash(string name) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..HashLength].ToLowerInvariant();
}
