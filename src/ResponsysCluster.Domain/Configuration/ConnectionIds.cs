using System.Security.Cryptography;
using System.Text;

namespace ResponsysCluster.Domain.Configuration;

/// <summary>
/// The rules for a connection id, the name that must stay the same across restarts and nodes: in the file
/// ledger, the journal, the sharded entity and the default target schema. 1 to 64 ASCII letters, digits,
/// <c>_</c> or <c>-</c>.
/// </summary>
public static class ConnectionIds
{
    public const int MaxLength = 64;
    private const int HashLength = 8;

    public static bool IsValid(string text) =>
        text.Length is > 0 and <= MaxLength && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    /// <summary>
    /// The id of a connection that does not name itself: <c>username@host:port/path</c> lower-cased, every other
    /// character folded to <c>_</c>. Longer than 64 characters, it is cut and ends with a short hash of the
    /// whole text, so two long logins that share a prefix keep apart. Pass the normalized path so that
    /// <c>/p/</c> and <c>/p</c> give the same id.
    /// </summary>
    public static string Derive(string username, string host, int port, string path)
    {
        var source = $"{username}@{host}:{port}{(path.StartsWith('/') ? "" : "/")}{path}";
        var folded = new StringBuilder(source.Length);
        foreach (var c in source.ToLowerInvariant())
            folded.Append(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_' or '-' ? c : '_');

        var text = folded.ToString();
        return text.Length <= MaxLength ? text : text[..(MaxLength - HashLength - 1)] + "_" + ShortHash(source);
    }

    private static string ShortHash(string text) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..HashLength].ToLowerInvariant();
}
