using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;

namespace ResponsysCluster.Domain.Tests;

public sealed class ConnectionConfigParserTests
{
    private const string Home = "/home/me";

    private static ConnectionConfig Parse(string json) => ConnectionConfigParser.Parse(json, Home).Config;

    [Fact]
    public void Should_accept_tap_responsys_config_as_it_is()
    {
        var config = Parse("""
            {"host": "files.responsys.net", "port": "22", "username": "acme_scp", "path": "/home/cli/acme_scp/download/",
             "private_key_file": "~/.ssh/id_rsa", "start_date": "2018-09-01T00:00:00Z"}
            """);
        Assert.Equal("files.responsys.net", config.Host);
        Assert.Equal(22, config.Port);
        Assert.Equal("/home/cli/acme_scp/download", config.Path);
        Assert.Equal("/home/me/.ssh/id_rsa", config.PrivateKeyFile);
        Assert.Equal(new DateTimeOffset(2018, 9, 1, 0, 0, 0, TimeSpan.Zero), config.StartDate);
        Assert.Equal(',', config.Delimiter);
        Assert.Equal(1000, config.SampleRows);
        Assert.Equal(5, config.SampleFiles);
        Assert.Equal(TimeSpan.FromHours(24), config.ReadyTimeout);
        Assert.Equal("/home/cli/acme_scp/download/x.csv", RemoteFile.PathIn(config.Path, "x.csv"));
    }

    private const string Login = """ "host": "h", "username": "u", "path": "/p", "password": "x" """;

    [Theory]
    [InlineData("""{"username": "u", "path": "/p", "password": "x"}""", "host", "missing")]
    [InlineData("""{"host": "", "username": "u", "path": "/p", "password": "x"}""", "host", "missing")]
    [InlineData("""{"host": "h", "path": "/p", "password": "x"}""", "username", "missing")]
    [InlineData("""{"host": "h", "username": "u", "password": "x"}""", "path", "missing")]
    [InlineData("""{"host": "h", "username": "u", "path": "/p"}""", "private_key_file", "missing: give private_key_file, private_key or password")]
    [InlineData("""{"host": "h", "username": "u", "path": "/p", "password": ""}""", "private_key_file", "missing: give private_key_file, private_key or password")]
    [InlineData("""{"host": "h", "username": "u", "path": "/p", "private_key_file": "/k", "private_key": "KEY"}""", "private_key", "give either private_key or private_key_file, not both")]
    [InlineData("""{"host": 5, "username": "u", "path": "/p", "password": "x"}""", "host", "must be a string")]
    public void Should_name_the_login_key_that_is_missing_or_wrong(string json, string key, string reason)
    {
        var error = Assert.Throws<ConfigException>(() => Parse(json));
        Assert.Equal(key, error.Key);
        Assert.Equal($"Config key '{key}': {reason}", error.Message);
    }

    [Theory]
    [InlineData(""" "port": "ssh" """, "port", "must be a whole number")]
    [InlineData(""" "port": true """, "port", "must be a whole number")]
    [InlineData(""" "port": 70000 """, "port", "must be between 1 and 65535")]
    [InlineData(""" "port": 0 """, "port", "must be between 1 and 65535")]
    [InlineData(""" "start_date": "yesterday" """, "start_date", "'yesterday' is not an ISO-8601 date-time")]
    [InlineData(""" "delimiter": "::" """, "delimiter", "must be one of ',', ';', '|' or a tab")]
    [InlineData(""" "encoding": "ebcdic" """, "encoding", "'ebcdic' is not supported; use UTF-8, Latin-1, Windows-1252 or UTF-16")]
    [InlineData(""" "sample_rows": 0 """, "sample_rows", "must be between 1 and 2147483647")]
    [InlineData(""" "sample_files": 0 """, "sample_files", "must be between 1 and 2147483647")]
    [InlineData(""" "ready_timeout": "soon" """, "ready_timeout", "must be a positive duration: hours as a number, or '90m', '24h', '2d', '3600s', 'hh:mm:ss'")]
    [InlineData(""" "host_key_fingerprint": "abc" """, "host_key_fingerprint", "must be a SHA256 fingerprint as 'ssh-keygen -lf' prints it, e.g. SHA256:abc…")]
    [InlineData(""" "host_key_fingerprint": "SHA256:short" """, "host_key_fingerprint", "must be a SHA256 fingerprint as 'ssh-keygen -lf' prints it, e.g. SHA256:abc…")]
    [InlineData(""" "host_key_fingerprint": "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" """, "host_key_fingerprint", "must be a SHA256 fingerprint as 'ssh-keygen -lf' prints it, e.g. SHA256:abc…")]
    [InlineData(""" "host_key_fingerprint": "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" """, "host_key_fingerprint", "must be a SHA256 fingerprint as 'ssh-keygen -lf' prints it, e.g. SHA256:abc…")]
    [InlineData(""" "host_key_fingerprint": "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-" """, "host_key_fingerprint", "must be a SHA256 fingerprint as 'ssh-keygen -lf' prints it, e.g. SHA256:abc…")]
    [InlineData(""" "host_key_fingerprint": "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==" """, "host_key_fingerprint", "must be a SHA256 fingerprint as 'ssh-keygen -lf' prints it, e.g. SHA256:abc…")]
    [InlineData(""" "host_key_fingerprint": "MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48" """, "host_key_fingerprint", "must be a SHA256 fingerprint as 'ssh-keygen -lf' prints it, e.g. SHA256:abc…")]
    [InlineData(""" "connection_id": "a/b" """, "connection_id", "'a/b' must be 1 to 64 letters, digits, '_' or '-'")]
    [InlineData(""" "connection_id": "cluster" """, "connection_id", "'cluster' would load into the reserved schema 'responsys_cluster'; choose another connection_id or set target_schema")]
    [InlineData(""" "target_schema": "Big Schema" """, "target_schema", "'Big Schema' must be a PostgreSQL name of at most 63 lower-case letters, digits and '_', not starting with a digit")]
    [InlineData(""" "target_schema": "pg_catalog" """, "target_schema", "'pg_catalog' is reserved; choose another schema")]
    [InlineData(""" "time_zone": "CET+1" """, "time_zone", "'CET+1' is not a known IANA time zone id (case matters) such as 'Europe/Paris' or 'UTC'")]
    [InlineData(""" "max_concurrent_downloads": 64 """, "max_concurrent_downloads", "must be between 1 and 32")]
    [InlineData(""" "schedule": {"every": "0.5s"} """, "schedule", null)]
    public void Should_name_the_key_that_is_wrong_and_say_why(string keys, string key, string? reason)
    {
        var error = Assert.Throws<ConfigException>(() => Parse("{" + Login + ", " + keys + "}"));
        Assert.Equal(key, error.Key);
        if (reason is null) Assert.StartsWith($"Config key '{key}': ", error.Message);
        else Assert.Equal($"Config key '{key}': {reason}", error.Message);
    }

    [Theory]
    [InlineData("{\"host\": ")]
    [InlineData("host=h")]
    public void Should_refuse_a_file_that_is_not_json(string json)
    {
        var error = Assert.Throws<ConfigException>(() => Parse(json));
        Assert.Equal("(file)", error.Key);
        Assert.StartsWith("Config key '(file)': not valid JSON: ", error.Message);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"host\"")]
    public void Should_refuse_json_that_is_not_an_object(string json)
    {
        var error = Assert.Throws<ConfigException>(() => Parse(json));
        Assert.Equal("(file)", error.Key);
        Assert.Equal("Config key '(file)': the configuration must be a JSON object", error.Message);
    }

    [Theory]
    [InlineData("SHA256:qvZjUv6memn2OAv7IJtbCPqYeZZ503q/XkT/ClWrG4A")]
    [InlineData("SHA256:qvZjUv6memn2OAv7IJtbCPqYeZZ503q/XkT/ClWrG4A=")]
    [InlineData("SHA256:+vZjUv6memn2OAv7IJtbCPqYeZZ503q/XkT/ClWrG49")]
    public void Should_take_a_sha256_fingerprint_with_or_without_its_padding(string fingerprint)
    {
        Assert.Equal(fingerprint, Parse($$"""{{{Login}}, "host_key_fingerprint": "{{fingerprint}}"}""").HostKeyFingerprint);
    }

    [Fact]
    public void Should_read_every_key_it_knows()
    {
        var parsed = ConnectionConfigParser.Parse("""
            {"host": "files.responsys.net", "port": 2222, "username": "acme_scp", "path": "/download",
             "password": "pw", "private_key_file": "/keys/id_ed25519", "private_key_passphrase": "phrase",
             "host_key_fingerprint": "  SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s ",
             "start_date": "2018-09-01", "delimiter": ";", "encoding": "latin1", "sample_rows": 50, "sample_files": 3,
             "ready_timeout": "90m", "connection_id": "acme", "target_schema": "acme_exports", "time_zone": "Europe/Paris",
             "max_concurrent_downloads": 4, "schedule": {"every": "6h"}}
            """, Home);
        var config = parsed.Config;
        Assert.Empty(parsed.IgnoredKeys);
        Assert.Equal(("files.responsys.net", 2222, "acme_scp", "/download"), (config.Host, config.Port, config.Username, config.Path));
        Assert.Equal("pw", config.Password?.Reveal());
        Assert.Equal("/keys/id_ed25519", config.PrivateKeyFile);
        Assert.Null(config.PrivateKey);
        Assert.Equal("phrase", config.PrivateKeyPassphrase?.Reveal());
        Assert.Equal("SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s", config.HostKeyFingerprint);
        Assert.Equal(new DateTimeOffset(2018, 9, 1, 0, 0, 0, TimeSpan.Zero), config.StartDate);
        Assert.Equal(';', config.Delimiter);
        Assert.Equal(ExportEncoding.Latin1, config.Encoding);
        Assert.Equal((50, 3), (config.SampleRows, config.SampleFiles));
        Assert.Equal(TimeSpan.FromMinutes(90), config.ReadyTimeout);
        Assert.Equal(("acme", "acme_exports", "Europe/Paris"), (config.ConnectionId, config.TargetSchema, config.TimeZone.Id));
        Assert.Equal(4, config.MaxConcurrentDownloads);
        Assert.Equal(new Scheduling.IntervalSchedule(TimeSpan.FromHours(6)), config.Schedule);
    }

    [Fact]
    public void Should_read_an_inline_private_key_and_its_passphrase()
    {
        var parsed = ConnectionConfigParser.Parse("""{"host": "h", "username": "u", "path": "/p", "private_key": "-----BEGIN KEY-----", "private_key_passphrase": "pp"}""", Home);
        var config = parsed.Config;
        Assert.Empty(parsed.IgnoredKeys);
        Assert.Equal("-----BEGIN KEY-----", config.PrivateKey?.Reveal());
        Assert.Equal("pp", config.PrivateKeyPassphrase?.Reveal());
        Assert.Null(config.PrivateKeyFile);
        Assert.Null(config.Password);
    }

    [Fact]
    public void Should_treat_empty_and_null_values_as_not_given()
    {
        var config = Parse("""
            {"host": "h", "username": "u", "path": "/p", "private_key_file": "/k", "password": "", "private_key": null,
             "port": " ", "start_date": null, "delimiter": "", "encoding": "", "sample_rows": "", "schedule": null}
            """);
        Assert.Null(config.Password);
        Assert.Null(config.PrivateKey);
        Assert.Equal(22, config.Port);
        Assert.Null(config.StartDate);
        Assert.Equal(',', config.Delimiter);
        Assert.Equal(ExportEncoding.Utf8, config.Encoding);
        Assert.Equal(1000, config.SampleRows);
        Assert.Null(config.Schedule);
    }

    [Theory]
    [InlineData("/", "/")]
    [InlineData("///", "/")]
    [InlineData("/a/b//", "/a/b")]
    [InlineData("relative/dir/", "relative/dir")]
    public void Should_drop_trailing_slashes_from_the_path_but_keep_the_root(string path, string expected)
    {
        Assert.Equal(expected, Parse($$"""{"host": "h", "username": "u", "path": "{{path}}", "password": "x"}""").Path);
    }

    [Theory]
    [InlineData("~", "/home/me")]
    [InlineData("~/.ssh/id_rsa", "/home/me/.ssh/id_rsa")]
    [InlineData("/etc/keys/id_rsa", "/etc/keys/id_rsa")]
    [InlineData("~other/id_rsa", "~other/id_rsa")]
    [InlineData("keys/id_rsa", "keys/id_rsa")]
    public void Should_expand_only_the_callers_home_in_the_key_file_path(string path, string expected)
    {
        Assert.Equal(expected, Parse($$"""{"host": "h", "username": "u", "path": "/p", "private_key_file": "{{path}}"}""").PrivateKeyFile);
    }

    [Theory]
    [InlineData("\"tab\"", '\t')]
    [InlineData("\"\\t\"", '\t')]
    [InlineData("\";\"", ';')]
    [InlineData("\"|\"", '|')]
    [InlineData("\",\"", ',')]
    [InlineData("\"\\\\t\"", '\t')]
    public void Should_accept_the_supported_delimiters(string delimiter, char expected)
    {
        Assert.Equal(expected, Parse($$"""{"host": "h", "username": "u", "path": "/p", "password": "x", "delimiter": {{delimiter}}}""").Delimiter);
    }

    [Theory]
    [InlineData("48", 48.0)]
    [InlineData("\"48\"", 48.0)]
    [InlineData("\"1.5\"", 1.5)]
    [InlineData("\"90m\"", 1.5)]
    [InlineData("\"2d\"", 48.0)]
    [InlineData("\"01:30:00\"", 1.5)]
    public void Should_read_ready_timeout_in_hours_or_with_a_unit(string value, double hours)
    {
        Assert.Equal(TimeSpan.FromHours(hours), Parse($$"""{"host": "h", "username": "u", "path": "/p", "password": "x", "ready_timeout": {{value}}}""").ReadyTimeout);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("\"0\"")]
    [InlineData("\"0m\"")]
    [InlineData("\"-01:00:00\"")]
    [InlineData("\"00:00:00\"")]
    [InlineData("\"h\"")]
    [InlineData("\"5w\"")]
    [InlineData("1e300")]
    [InlineData("\"99999999999999999999d\"")]
    [InlineData("[]")]
    public void Should_refuse_a_ready_timeout_that_is_not_a_positive_duration(string value)
    {
        var error = Assert.Throws<ConfigException>(() => Parse($$"""{"host": "h", "username": "u", "path": "/p", "password": "x", "ready_timeout": {{value}}}"""));
        Assert.Equal("ready_timeout", error.Key);
    }

    [Theory]
    [InlineData("latin-1", ExportEncoding.Latin1)]
    [InlineData("ISO-8859-1", ExportEncoding.Latin1)]
    [InlineData("cp1252", ExportEncoding.Windows1252)]
    [InlineData("UTF-16", ExportEncoding.Utf16)]
    [InlineData("utf-8", ExportEncoding.Utf8)]
    [InlineData(" UTF_8 ", ExportEncoding.Utf8)]
    [InlineData("utf8", ExportEncoding.Utf8)]
    [InlineData("utf-8-sig", ExportEncoding.Utf8)]
    [InlineData("latin1", ExportEncoding.Latin1)]
    [InlineData("iso8859-1", ExportEncoding.Latin1)]
    [InlineData("Windows-1252", ExportEncoding.Windows1252)]
    [InlineData("utf16", ExportEncoding.Utf16)]
    public void Should_accept_the_supported_encodings(string name, ExportEncoding expected)
    {
        Assert.Equal(expected, Parse($$"""{"host": "h", "username": "u", "path": "/p", "password": "x", "encoding": "{{name}}"}""").Encoding);
    }

    [Fact]
    public void Should_never_print_secrets()
    {
        var config = Parse("""{"host": "h", "username": "u", "path": "/p", "password": "hunter2", "private_key": "-----BEGIN KEY-----", "private_key_passphrase": "pass-phrase"}""");
        var printed = config.ToString();
        Assert.DoesNotContain("hunter2", printed);
        Assert.DoesNotContain("BEGIN KEY", printed);
        Assert.DoesNotContain("pass-phrase", printed);
        Assert.Equal("hunter2", config.Password!.Reveal());
    }

    [Fact]
    public void Should_report_keys_it_does_not_use()
    {
        var parsed = ConnectionConfigParser.Parse("""{"host": "h", "username": "u", "path": "/", "password": "x", "frequency_in_minutes": "60"}""", Home);
        Assert.Equal(["frequency_in_minutes"], parsed.IgnoredKeys);
        Assert.Equal("/x.csv", RemoteFile.PathIn(parsed.Config.Path, "x.csv"));
    }

    private const string ServerKey = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    private const string BastionKey = "SHA256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";

    private static string WithJumpHost(string jumpHost) =>
        $$$"""{"host": "sftp.internal", "username": "u", "path": "/p", "private_key_file": "~/id", "host_key_fingerprint": "{{{ServerKey}}}", "jump_host": {{{jumpHost}}}}""";

    [Fact]
    public void Should_read_a_jump_host_with_its_own_login_and_pinned_key()
    {
        var config = ConnectionConfigParser.Parse(WithJumpHost($$"""
            {"host": "bastion.example.com", "port": "2222", "username": "jump", "private_key_file": "~/.ssh/bastion",
             "host_key_fingerprint": "{{BastionKey}}"}
            """), Home).Config;

        var jump = Assert.IsType<JumpHostConfig>(config.JumpHost);
        Assert.Equal("bastion.example.com", jump.Host);
        Assert.Equal(2222, jump.Port);
        Assert.Equal("jump", jump.Username);
        Assert.Equal("/home/me/.ssh/bastion", jump.PrivateKeyFile);
        Assert.Null(jump.Password);
        Assert.Equal(BastionKey, jump.HostKeyFingerprint);
        Assert.Equal("sftp.internal", config.Host);
        Assert.Equal(ServerKey, config.HostKeyFingerprint);
    }

    [Fact]
    public void Should_read_a_jump_hosts_password_from_the_variable_it_names_and_default_its_port()
    {
        var config = ConnectionConfigParser.Parse(WithJumpHost($$"""
            {"host": "b", "username": "jump", "password_env": "JUMP_PASSWORD", "host_key_fingerprint": "{{BastionKey}}"}
            """), Home, name => name == "JUMP_PASSWORD" ? "hunter2" : null).Config;

        Assert.Equal(22, config.JumpHost!.Port);
        Assert.Equal("hunter2", config.JumpHost.Password!.Reveal());
        Assert.DoesNotContain("hunter2", config.JumpHost.ToString());
    }

    [Fact]
    public void Should_read_the_passphrase_of_a_jump_hosts_key_from_the_variable_it_names()
    {
        var config = ConnectionConfigParser.Parse(WithJumpHost($$"""
            {"host": "b", "username": "jump", "private_key_file": "/k", "private_key_passphrase_env": "JUMP_KEY_PASSPHRASE", "host_key_fingerprint": "{{BastionKey}}"}
            """), Home, name => name == "JUMP_KEY_PASSPHRASE" ? "open sesame" : null).Config;

        Assert.Equal("open sesame", config.JumpHost!.PrivateKeyPassphrase!.Reveal());
        Assert.Null(config.PrivateKeyPassphrase);
    }

    [Fact]
    public void Should_connect_directly_without_a_jump_host()
    {
        Assert.Null(Parse($$"""{{{Login}}}""").JumpHost);
        Assert.Null(Parse($$"""{{{Login}}, "jump_host": null}""").JumpHost);
    }

    [Theory]
    [InlineData("""{"host": "b", "port": "ssh", "username": "j", "password_env": "PW", "host_key_fingerprint": "FP"}""", "jump_host.port", "must be a whole number")]
    [InlineData("""{"host": "b", "port": 0, "username": "j", "password_env": "PW", "host_key_fingerprint": "FP"}""", "jump_host.port", "must be between 1 and 65535")]
    [InlineData("""{"username": "j", "password_env": "PW", "host_key_fingerprint": "FP"}""", "jump_host.host", "missing")]
    [InlineData("""{"host": "b", "password_env": "PW", "host_key_fingerprint": "FP"}""", "jump_host.username", "missing")]
    [InlineData("""{"host": "b", "username": "j", "host_key_fingerprint": "FP"}""", "jump_host.private_key_file", "missing: give the jump host's private_key_file or password_env")]
    [InlineData("""{"host": "b", "username": "j", "password_env": "PW"}""", "jump_host.host_key_fingerprint", "missing: a jump host's key is always pinned; give it as 'ssh-keygen -lf' prints it")]
    [InlineData("""{"host": "b", "username": "j", "password_env": "PW", "host_key_fingerprint": "abc"}""", "jump_host.host_key_fingerprint", "must be a SHA256 fingerprint as 'ssh-keygen -lf' prints it, e.g. SHA256:abc…")]
    [InlineData("""{"host": "b", "username": "j", "password_env": "NOT_SET", "host_key_fingerprint": "FP"}""", "jump_host.password_env", "the environment variable NOT_SET is not set")]
    [InlineData("""{"host": "b", "username": "j", "password_env": "1PW", "host_key_fingerprint": "FP"}""", "jump_host.password_env", "'1PW' is not an environment variable name")]
    [InlineData("""{"host": "b", "username": "j", "password": "x", "password_env": "PW", "host_key_fingerprint": "FP"}""", "jump_host.password_env", "give either password or password_env, not both")]
    [InlineData("""{"host": "b", "username": "j", "private_key_file": "/k", "private_key": "KEY", "host_key_fingerprint": "FP"}""", "jump_host.private_key", "give either private_key or private_key_file, not both")]
    [InlineData("""{"host": "b", "username": "j", "password_env": "PW", "host_key_fingerprint": "FP", "hostkey": "x"}""", "jump_host.hostkey", "not a key of a jump host (it takes host, port, username, password, password_env, private_key_file, private_key, private_key_passphrase, private_key_passphrase_env, host_key_fingerprint)")]
    [InlineData("""["b"]""", "jump_host", "must be an object with host, port, username, private_key_file or password_env, and host_key_fingerprint")]
    public void Should_name_the_jump_host_key_that_is_missing_or_wrong(string jumpHost, string key, string reason)
    {
        var json = WithJumpHost(jumpHost.Replace("\"FP\"", $"\"{BastionKey}\"", StringComparison.Ordinal));
        var error = Assert.Throws<ConfigException>(() => ConnectionConfigParser.Parse(json, Home, name => name == "PW" ? "pw" : null));
        Assert.Equal(key, error.Key);
        Assert.Equal($"Config key '{key}': {reason}", error.Message);
    }

    [Fact]
    public void Should_require_the_servers_host_key_too_when_going_through_a_jump_host()
    {
        var json = $$$"""
            {"host": "sftp.internal", "username": "u", "path": "/p", "private_key_file": "/k",
             "jump_host": {"host": "b", "username": "j", "private_key_file": "/j", "host_key_fingerprint": "{{{BastionKey}}}"}}
            """;
        var error = Assert.Throws<ConfigException>(() => Parse(json));
        Assert.Equal("host_key_fingerprint", error.Key);
        Assert.Equal("Config key 'host_key_fingerprint': missing: a connection through jump_host pins the SFTP server's host key too", error.Message);
    }
}
