using System.Globalization;
using System.Text.Json;

namespace ResponsysCluster.Domain.Configuration;

/// <summary>
/// Reads a connection's JSON configuration. tap-responsys's keys (<c>host</c>, <c>port</c>, <c>username</c>,
/// <c>path</c>, <c>private_key_file</c>, <c>start_date</c>) are taken as they are; every problem is one
/// <see cref="ConfigException"/> naming the key. Unknown keys are returned so the caller can mention them.
/// </summary>
public static class ConnectionConfigParser
{
    private static readonly HashSet<string> KnownKeys =
    [
        "host", "port", "username", "path", "password", "private_key_file", "private_key",
        "private_key_passphrase", "host_key_fingerprint", "start_date", "delimiter", "encoding",
        "sample_rows", "sample_files", "ready_timeout",
    ];

    /// <summary>Parses <paramref name="json"/>; <paramref name="homeDirectory"/> expands a leading <c>~</c>.</summary>
    public static ParsedConnectionConfig Parse(string json, string homeDirectory)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new ConfigException("(file)", $"not valid JSON: {ex.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new ConfigException("(file)", "the configuration must be a JSON object");
            return Parse(document.RootElement, homeDirectory);
        }
    }

    private static ParsedConnectionConfig Parse(JsonElement root, string homeDirectory)
    {
        var ignored = root.EnumerateObject().Select(p => p.Name).Where(n => !KnownKeys.Contains(n)).ToList();

        var config = new ConnectionConfig
        {
            Host = RequiredString(root, "host"),
            Port = OptionalInt(root, "port", 22, 1, 65535),
            Username = RequiredString(root, "username"),
            Path = NormalizePath(RequiredString(root, "path")),
            Password = OptionalSecret(root, "password"),
            PrivateKeyFile = ExpandHome(OptionalString(root, "private_key_file"), homeDirectory),
            PrivateKey = OptionalSecret(root, "private_key"),
            PrivateKeyPassphrase = OptionalSecret(root, "private_key_passphrase"),
            HostKeyFingerprint = OptionalFingerprint(root, "host_key_fingerprint"),
            StartDate = OptionalDate(root, "start_date"),
            Delimiter = OptionalDelimiter(root, "delimiter"),
            Encoding = OptionalEncoding(root, "encoding"),
            SampleRows = OptionalInt(root, "sample_rows", 1000, 1, int.MaxValue),
            SampleFiles = OptionalInt(root, "sample_files", 5, 1, int.MaxValue),
            ReadyTimeout = OptionalDuration(root, "ready_timeout", TimeSpan.FromHours(24)),
        };

        if (config.Password is null && config.PrivateKeyFile is null && config.PrivateKey is null)
            throw new ConfigException("private_key_file", "missing: give private_key_file, private_key or password");
        if (config.PrivateKeyFile is not null && config.PrivateKey is not null)
            throw new ConfigException("private_key", "give either private_key or private_key_file, not both");

        return new ParsedConnectionConfig(config, ignored);
    }

    private static JsonElement? Value(JsonElement root, string key) =>
        root.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static string RequiredString(JsonElement root, string key) =>
        OptionalString(root, key) is { Length: > 0 } text ? text : throw new ConfigException(key, "missing");

    private static string? OptionalString(JsonElement root, string key)
    {
        if (Value(root, key) is not { } value) return null;
        if (value.ValueKind != JsonValueKind.String) throw new ConfigException(key, "must be a string");
        var text = value.GetString()!;
        return text.Length == 0 ? null : text;
    }

    private static Secret? OptionalSecret(JsonElement root, string key) =>
        OptionalString(root, key) is { } text ? new Secret(text) : null;

    private static int OptionalInt(JsonElement root, string key, int fallback, int min, int max)
    {
        if (Value(root, key) is not { } value) return fallback;
        long number;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n)) number = n;
        else if (value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString()!.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var s)) number = s;
        else if (value.ValueKind == JsonValueKind.String && value.GetString()!.Trim().Length == 0) return fallback;
        else throw new ConfigException(key, "must be a whole number");
        if (number < min || number > max) throw new ConfigException(key, $"must be between {min} and {max}");
        return (int)number;
    }

    private static string NormalizePath(string path)
    {
        var trimmed = path.TrimEnd('/');
        return trimmed.Length == 0 ? "/" : trimmed;
    }

    private static string? ExpandHome(string? path, string home)
    {
        if (path is null) return null;
        if (path == "~") return home;
        return path.StartsWith("~/", StringComparison.Ordinal) ? System.IO.Path.Combine(home, path[2..]) : path;
    }

    private static string? OptionalFingerprint(JsonElement root, string key)
    {
        if (OptionalString(root, key) is not { } text) return null;
        var trimmed = text.Trim();
        if (!trimmed.StartsWith("SHA256:", StringComparison.Ordinal) || trimmed.Length < 20)
            throw new ConfigException(key, "must be a SHA256 fingerprint as 'ssh-keygen -lf' prints it, e.g. SHA256:abc…");
        return trimmed;
    }

    private static DateTimeOffset? OptionalDate(JsonElement root, string key)
    {
        if (OptionalString(root, key) is not { } text) return null;
        return IsoTimestamp.TryParse(text, out var date)
            ? date
            : throw new ConfigException(key, $"'{text}' is not an ISO-8601 date-time");
    }

    private static char OptionalDelimiter(JsonElement root, string key)
    {
        var text = OptionalString(root, key);
        return text switch
        {
            null => ',',
            "," or ";" or "|" or "\t" => text[0],
            "\\t" or "tab" => '\t',
            _ => throw new ConfigException(key, "must be one of ',', ';', '|' or a tab"),
        };
    }

    private static ExportEncoding OptionalEncoding(JsonElement root, string key)
    {
        var text = OptionalString(root, key);
        return text?.Trim().ToLowerInvariant().Replace('_', '-') switch
        {
            null or "utf-8" or "utf8" or "utf-8-sig" => ExportEncoding.Utf8,
            "latin-1" or "latin1" or "iso-8859-1" or "iso8859-1" => ExportEncoding.Latin1,
            "windows-1252" or "cp1252" => ExportEncoding.Windows1252,
            "utf-16" or "utf16" => ExportEncoding.Utf16,
            _ => throw new ConfigException(key, $"'{text}' is not supported; use UTF-8, Latin-1, Windows-1252 or UTF-16"),
        };
    }

    /// <summary>A number is hours; a string may be <c>90m</c>, <c>24h</c>, <c>2d</c>, <c>3600s</c> or <c>hh:mm:ss</c>.</summary>
    private static TimeSpan OptionalDuration(JsonElement root, string key, TimeSpan fallback)
    {
        if (Value(root, key) is not { } value) return fallback;
        TimeSpan? parsed = value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetDouble(out var hours) && hours > 0 => TimeSpan.FromHours(hours),
            JsonValueKind.String => ParseDuration(value.GetString()!.Trim()),
            _ => null,
        };
        return parsed ?? throw new ConfigException(key, "must be a positive duration: hours as a number, or '90m', '24h', '2d', '3600s', 'hh:mm:ss'");
    }

    private static TimeSpan? ParseDuration(string text)
    {
        if (text.Length < 2) return null;
        var unit = text[^1];
        if (double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount > 0)
        {
            return char.ToLowerInvariant(unit) switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => null,
            };
        }
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero ? span : null;
    }
}

/// <summary>A parsed configuration and the keys it had that this product does not use.</summary>
public sealed record ParsedConnectionConfig(ConnectionConfig Config, IReadOnlyList<string> IgnoredKeys);
