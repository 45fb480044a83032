using System.Text.Json;
using ResponsysCluster.Domain.Configuration;

namespace ResponsysCluster.Domain.Registry;

/// <summary>
/// A connection's JSON as the registry takes it: the config <c>sync</c> reads, but with its secrets only by
/// reference, since the registry's journal outlives every file and process (a key by <c>private_key_file</c>, a
/// password or passphrase by the name of an environment variable that each node sets).
/// </summary>
public static class RegistryDocument
{
    private static readonly (string Key, string Instead)[] InlineSecrets =
    [
        ("password", "password_env (the name of an environment variable holding it)"),
        ("private_key", "private_key_file (the path of the key file on every node)"),
        ("private_key_passphrase", "private_key_passphrase_env (the name of an environment variable holding it)"),
    ];

    /// <summary>Parses <paramref name="json"/> as <see cref="ConnectionConfigParser"/> does; an inline secret is a <see cref="ConfigException"/> naming its key.</summary>
    public static ParsedConnectionConfig Parse(string json, string homeDirectory, Func<string, string?>? environment = null)
    {
        var parsed = ConnectionConfigParser.Parse(json, homeDirectory, environment);
        using var document = JsonDocument.Parse(json);
        RefuseInlineSecrets(document.RootElement, "");
        // A jump host's login is held to the same rule as the server's (the parser has checked it is an object).
        if (document.RootElement.TryGetProperty("jump_host", out var jumpHost) && jumpHost.ValueKind == JsonValueKind.Object)
            RefuseInlineSecrets(jumpHost, "jump_host.");
        return parsed;
    }

    private static void RefuseInlineSecrets(JsonElement element, string prefix)
    {
        foreach (var (key, instead) in InlineSecrets)
        {
            if (element.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null)
                throw new ConfigException(prefix + key, $"a registered connection keeps its secrets out of the registry: give {prefix}{instead}");
        }
    }
}
