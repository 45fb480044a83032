using System.Globalization;
using System.Text.Json;
using ResponsysCluster.Domain.Naming;

namespace ResponsysCluster.Domain.Configuration;

/// <summary>
/// Reads a connection's JSON configuration. tap-responsys's keys (<c>host</c>, <c>port</c>, <c>username</c>,
/// <c>path</c>, <c>private_key_file</c>, <c>start_date</c>) are taken as they are, alongside our own (login,
/// CSV format, <c>connection_id</c>, <c>target_schema</c>, <c>time_zone</c>, <c>max_concurrent_downloads</c>,
/// <c>schedule</c>); every problem is one <see cref="ConfigException"/> naming the key. Unknown keys are returned
/// so the caller can mention them.
/// </summary>
public static class ConnectionConfigParser
{
    private static readonly HashSet<string> KnownKeys =
    [
        "host", "port", "username", "path", "password", "password_env", "private_key_file", "private_key",
        "private_key_passphrase", "private_key_passphrase_env", "host_key_fingerprint", "start_date", "delimiter", "encoding",
        "sample_rows", "sample_files", "ready_timeout", "connection_id", "target_schema", "time_zone",
        "max_concurrent_downloads", "schedule", "tables", "columns", "jump_host",
        "pgp_private_key_file", "pgp_passphrase_env", "pgp_signer_public_key_file",
    ];

    // The keys of a jump_host object: its address, login and host key, named as the connection's own.
    private static readonly string[] JumpHostKeys =
    [
        "host", "port", "username", "password", "password_env", "private_key_file", "private_key",
        "private_key_passphrase", "private_key_passphrase_env", "host_key_fingerprint",
    ];

    // Schemas a connection must not load into: the product's own (ControlTables.Schema) and PostgreSQL's.
    private static readonly string[] ReservedSchemas = ["responsys_cluster", "information_schema"];

    /// <summary>
    /// Parses <paramref name="json"/>; <paramref name="homeDirectory"/> expands a leading <c>~</c>, and
    /// <paramref name="environment"/> (the process's variables when null) gives the secrets that <c>password_env</c>
    /// and <c>private_key_passphrase_env</c> name.
    /// </summary>
    public static ParsedConnectionConfig Parse(string json, string homeDirectory, Func<string, string?>? environment = null)
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
            return Parse(document.RootElement, homeDirectory, environment ?? Environment.GetEnvironmentVariable);
        }
    }

    private static ParsedConnectionConfig Parse(JsonElement root, string homeDirectory, Func<string, string?> environment)
    {
        var ignored = root.EnumerateObject().Select(p => p.Name).Where(n => !KnownKeys.Contains(n)).ToList();

        var host = RequiredString(root, "host");
        var port = OptionalInt(root, "port", 22, 1, 65535);
        var username = RequiredString(root, "username");
        var path = NormalizePath(RequiredString(root, "path"));
        var connectionId = OptionalConnectionId(root, "connection_id") ?? ConnectionIds.Derive(username, host, port, path);
        var timeZone = OptionalTimeZone(root, "time_zone");

        var config = new ConnectionConfig
        {
            Host = host,
            Port = port,
            Username = username,
            Path = path,
            Password = SecretOrVariable(root, "password", environment),
            PrivateKeyFile = ExpandHome(OptionalString(root, "private_key_file"), homeDirectory),
            PrivateKey = OptionalSecret(root, "private_key"),
            PrivateKeyPassphrase = SecretOrVariable(root, "private_key_passphrase", environment),
            HostKeyFingerprint = OptionalFingerprint(root, "host_key_fingerprint"),
            StartDate = OptionalDate(root, "start_date"),
            Delimiter = OptionalDelimiter(root, "delimiter"),
            Encoding = OptionalEncoding(root, "encoding"),
            SampleRows = OptionalInt(root, "sample_rows", 1000, 1, int.MaxValue),
            SampleFiles = OptionalInt(root, "sample_files", 5, 1, int.MaxValue),
            ReadyTimeout = OptionalDuration(root, "ready_timeout", TimeSpan.FromHours(24)),
            ConnectionId = connectionId,
            TargetSchema = OptionalTargetSchema(root, "target_schema") ?? DefaultTargetSchema(connectionId),
            TimeZone = timeZone,
            MaxConcurrentDownloads = OptionalInt(root, "max_concurrent_downloads", 2, 1, 32),
            Schedule = ScheduleConfigParser.Parse(Value(root, "schedule"), timeZone),
            Tables = OptionalTableList(root, "tables"),
            Columns = OptionalColumnSelection(root, "columns"),
            JumpHost = OptionalJumpHost(root, "jump_host", homeDirectory, environment),
            PgpPrivateKeyFile = ExpandHome(OptionalString(root, "pgp_private_key_file"), homeDirectory),
            PgpPassphrase = SecretFromVariable(root, "pgp_passphrase_env", environment),
            PgpSignerPublicKeyFile = ExpandHome(OptionalString(root, "pgp_signer_public_key_file"), homeDirectory),
        };

        // Only by reference: a passphrase in the file would reach the registry's journal.
        if (Value(root, "pgp_passphrase") is not null)
            throw new ConfigException("pgp_passphrase", "give the passphrase by pgp_passphrase_env (the name of an environment variable holding it), never inline");
        if (config.PgpPrivateKeyFile is null && config.PgpPassphrase is not null)
            throw new ConfigException("pgp_passphrase_env", "needs pgp_private_key_file (the key the passphrase unlocks)");
        if (config.PgpPrivateKeyFile is null && config.PgpSignerPublicKeyFile is not null)
            throw new ConfigException("pgp_signer_public_key_file", "needs pgp_private_key_file (signatures are verified on decrypted files)");

        if (config.Columns?.Keys.FirstOrDefault(t => !config.Selects(t)) is { } unselected)
            throw new ConfigException("columns", $"selects columns of {unselected}, a table the 'tables' key leaves out");

        if (config.Password is null && config.PrivateKeyFile is null && config.PrivateKey is null)
            throw new ConfigException("private_key_file", "missing: give private_key_file, private_key or password");
        if (config.PrivateKeyFile is not null && config.PrivateKey is not null)
            throw new ConfigException("private_key", "give either private_key or private_key_file, not both");
        // Through a bastion, both ends of the tunnel are pinned: the bastion could otherwise stand in for the server.
        if (config.JumpHost is not null && config.HostKeyFingerprint is null)
            throw new ConfigException("host_key_fingerprint", "missing: a connection through jump_host pins the SFTP server's host key too");

        return new ParsedConnectionConfig(config, ignored);
    }

    /// <summary>
    /// The <c>jump_host</c> object: host, port, username, a login (<c>private_key_file</c>, <c>password_env</c>, or
    /// as the connection's own login keys) and the bastion's <c>host_key_fingerprint</c>, which is required. Errors
    /// name the key inside it (<c>jump_host.port</c>); a key a jump host does not take is an error, not ignored,
    /// since a misspelt one would leave the bastion without the setting it meant.
    /// </summary>
    private static JumpHostConfig? OptionalJumpHost(JsonElement root, string key, string homeDirectory, Func<string, string?> environment)
    {
        if (Value(root, key) is not { } value) return null;
        if (value.ValueKind != JsonValueKind.Object)
            throw new ConfigException(key, "must be an object with host, port, username, private_key_file or password_env, and host_key_fingerprint");
        if (value.EnumerateObject().Select(p => p.Name).FirstOrDefault(n => !JumpHostKeys.Contains(n)) is { } unknown)
            throw new ConfigException($"{key}.{unknown}", $"not a key of a jump host (it takes {string.Join(", ", JumpHostKeys)})");

        try
        {
            var jump = new JumpHostConfig
            {
                Host = RequiredString(value, "host"),
                Port = OptionalInt(value, "port", 22, 1, 65535),
                Username = RequiredString(value, "username"),
                Password = SecretOrVariable(value, "password", environment),
                PrivateKeyFile = ExpandHome(OptionalString(value, "private_key_file"), homeDirectory),
                PrivateKey = OptionalSecret(value, "private_key"),
                PrivateKeyPassphrase = SecretOrVariable(value, "private_key_passphrase", environment),
                HostKeyFingerprint = OptionalFingerprint(value, "host_key_fingerprint")
                    ?? throw new ConfigException("host_key_fingerprint", "missing: a jump host's key is always pinned; give it as 'ssh-keygen -lf' prints it"),
            };
            if (jump.Password is null && jump.PrivateKeyFile is null && jump.PrivateKey is null)
                throw new ConfigException("private_key_file", "missing: give the jump host's private_key_file or password_env");
            if (jump.PrivateKeyFile is not null && jump.PrivateKey is not null)
                throw new ConfigException("private_key", "give either private_key or private_key_file, not both");
            return jump;
        }
        catch (ConfigException ex) when (!ex.Key.StartsWith(key + ".", StringComparison.Ordinal))
        {
            throw new ConfigException($"{key}.{ex.Key}", ex.Reason);
        }
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

    /// <summary>
    /// A secret given inline (<paramref name="key"/>) or by the name of the environment variable that holds it
    /// (<paramref name="key"/><c>_env</c>), so that the secret itself stays out of files and the journal.
    /// </summary>
    private static Secret? SecretOrVariable(JsonElement root, string key, Func<string, string?> environment)
    {
        var variableKey = key + "_env";
        var inline = OptionalSecret(root, key);
        if (OptionalString(root, variableKey) is not { } variable) return inline;
        if (inline is not null) throw new ConfigException(variableKey, $"give either {key} or {variableKey}, not both");
        if (!IsVariableName(variable)) throw new ConfigException(variableKey, $"'{variable}' is not an environment variable name");
        return environment(variable) is { Length: > 0 } value
            ? new Secret(value)
            : throw new ConfigException(variableKey, $"the environment variable {variable} is not set");
    }

    /// <summary>A secret given only by the name of the environment variable that holds it (<paramref name="variableKey"/>).</summary>
    private static Secret? SecretFromVariable(JsonElement root, string variableKey, Func<string, string?> environment)
    {
        if (OptionalString(root, variableKey) is not { } variable) return null;
        if (!IsVariableName(variable)) throw new ConfigException(variableKey, $"'{variable}' is not an environment variable name");
        return environment(variable) is { Length: > 0 } value
            ? new Secret(value)
            : throw new ConfigException(variableKey, $"the environment variable {variable} is not set");
    }

    private static bool IsVariableName(string text) =>
        (char.IsAsciiLetter(text[0]) || text[0] == '_') && text.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>A list of table names, each given once; null when absent.</summary>
    private static IReadOnlyList<string>? OptionalTableList(JsonElement root, string key)
    {
        if (Value(root, key) is not { } value) return null;
        if (value.ValueKind != JsonValueKind.Array) throw new ConfigException(key, "must be a list of table names");
        var tables = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 } table)
                throw new ConfigException(key, "must be a list of table names");
            if (tables.Contains(table, StringComparer.Ordinal)) throw new ConfigException(key, $"lists {table} twice");
            tables.Add(table);
        }
        return tables.Count > 0 ? tables : throw new ConfigException(key, "lists no table: leave it out to replicate every table");
    }

    /// <summary>Per table, the columns loaded (<c>{"TABLE": ["A", "B"]}</c>); null when absent.</summary>
    private static IReadOnlyDictionary<string, IReadOnlyList<string>>? OptionalColumnSelection(JsonElement root, string key)
    {
        if (Value(root, key) is not { } value) return null;
        const string shape = "must map table names to lists of column names, e.g. {\"CONTACT_LIST\": [\"RIID_\", \"EMAIL_ADDRESS_\"]}";
        if (value.ValueKind != JsonValueKind.Object) throw new ConfigException(key, shape);
        var selection = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var table in value.EnumerateObject())
        {
            if (table.Value.ValueKind != JsonValueKind.Array) throw new ConfigException(key, shape);
            var columns = new List<string>();
            foreach (var item in table.Value.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 } column) throw new ConfigException(key, shape);
                if (columns.Contains(column, StringComparer.Ordinal)) throw new ConfigException(key, $"lists {column} of {table.Name} twice");
                columns.Add(column);
            }
            if (columns.Count == 0) throw new ConfigException(key, $"selects no column of {table.Name}: leave the table out to load all its columns");
            selection[table.Name] = columns;
        }
        return selection.Count > 0 ? selection : null;
    }

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
        // A SHA-256 digest is 32 bytes: 43 base64 characters, with the padding some tools add.
        var digest = trimmed.StartsWith("SHA256:", StringComparison.Ordinal) ? trimmed["SHA256:".Length..] : "";
        if (digest.TrimEnd('=') is not { Length: 43 } unpadded || digest.Length > 44
            || !unpadded.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/'))
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
        return DurationText.Parse(value, TimeSpan.FromHours(1))
            ?? throw new ConfigException(key, "must be a positive duration: hours as a number, or '90m', '24h', '2d', '3600s', 'hh:mm:ss'");
    }

    private static string? OptionalConnectionId(JsonElement root, string key)
    {
        if (OptionalString(root, key) is not { } text) return null;
        return ConnectionIds.IsValid(text)
            ? text
            : throw new ConfigException(key, $"'{text}' must be 1 to {ConnectionIds.MaxLength} letters, digits, '_' or '-'");
    }

    private static string? OptionalTargetSchema(JsonElement root, string key)
    {
        if (OptionalString(root, key) is not { } text) return null;
        // Only names that fold onto themselves: the schema then reads the same in SQL quoted or not.
        if (PostgresIdentifier.From(text) != text)
            throw new ConfigException(key, $"'{text}' must be a PostgreSQL name of at most {PostgresIdentifier.MaxBytes} lower-case letters, digits and '_', not starting with a digit");
        return IsReservedSchema(text) ? throw new ConfigException(key, $"'{text}' is reserved; choose another schema") : text;
    }

    private static string DefaultTargetSchema(string connectionId)
    {
        var schema = ConnectionConfig.DefaultTargetSchema(connectionId);
        return IsReservedSchema(schema)
            ? throw new ConfigException("connection_id", $"'{connectionId}' would load into the reserved schema '{schema}'; choose another connection_id or set target_schema")
            : schema;
    }

    private static bool IsReservedSchema(string schema) =>
        ReservedSchemas.Contains(schema) || schema.StartsWith("pg_", StringComparison.Ordinal);

    private static TimeZoneInfo OptionalTimeZone(JsonElement root, string key)
    {
        if (OptionalString(root, key) is not { } text) return TimeZoneInfo.Utc;
        return IanaTimeZone.Find(text.Trim())
            ?? throw new ConfigException(key, $"'{text}' is not a known IANA time zone id (case matters) such as 'Europe/Paris' or 'UTC'");
    }
}

/// <summary>A parsed configuration and the keys it had that this product does not use.</summary>
public sealed record ParsedConnectionConfig(ConnectionConfig Config, IReadOnlyList<string> IgnoredKeys);
