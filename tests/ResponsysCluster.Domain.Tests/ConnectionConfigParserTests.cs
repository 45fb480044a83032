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

    [Theory]
    [InlineData("""{"username": "u", "path": "/p", "password": "x"}""", "host")]
    [InlineData("""{"host": "h", "path": "/p", "password": "x"}""", "username")]
    [InlineData("""{"host": "h", "username": "u", "password": "x"}""", "path")]
    [InlineData("""{"host": "h", "username": "u", "path": "/p"}""", "private_key_file")]
    [InlineData("""{"host": "h", "username": "u", "path": "/p", "password": "x", "port": "ssh"}""", "port")]
    [InlineData("""{"host": "h", "username": "u", "path": "/p", "password": "x", "port": 70000}""", "port")]
    [InlineData("""{"host": "h", "username": "u", "path": "/p", "password": "x", "start_date": "yesterday"}""", "start_date")]
    [InlineData("""{"host": "h", "username": "u", "path": "/p", "password": "x", "delimiter": "::"}""", "delimiter")]
    [InlineData("""{"host": "h", "username": "u", "path": "/p", "password": "x", "encoding": "ebcdic"}""", "encoding")]
    [InlineData("""{"host": "h", "username": "u", "path": "/p", "password": "x", "sample_rows": 0}""", "sample_rows")]
    [InlineData("""{"host": "h", "username": "u", "path": "/p", "password": "x", "ready_timeout": "soon"}""", "ready_timeout")]
    [InlineData("""{"host": "h", "username": "u", "path": "/p", "password": "x", "host_key_fingerprint": "abc"}""", "host_key_fingerprint")]
    [InlineData("""{"host": 5, "username": "u", "path": "/p", "password": "x"}""", "host")]
    [InlineData("""{"host": "h", "username": "u", "path": "/p", "password": "x", "connection_id": "a/b"}""", "connection_id")]
    [InlineData("""{"host": "h", "username": "u", "path": "/p", "password": "x", "target_schema": "Big Schema"}""", "target_schema")]
    [InlineData("""{"host": "h", "username": "u", "path": "/p", "password": "x", "time_zone": "CET+1"}""", "time_zone")]
    [InlineData("""{"host": "h", "username": "u", "path": "/p", "password": "x", "max_concurrent_downloads": 64}""", "max_concurrent_downloads")]
    [InlineData("""{"host": "h", "username": "u", "path": "/p", "password": "x", "schedule": {"every": "1s"}}""", "schedule")]
    public void Should_name_the_key_that_is_missing_or_wrong(string json, string key)
    {
        var error = Assert.Throws<ConfigException>(() => Parse(json));
        Assert.Equal(key, error.Key);
        Assert.Contains($"'{key}'", error.Message);
    }

    [Theory]
    [InlineData("\"tab\"", '\t')]
    [InlineData("\"\\t\"", '\t')]
    [InlineData("\";\"", ';')]
    [InlineData("\"|\"", '|')]
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
    [InlineData("latin-1", ExportEncoding.Latin1)]
    [InlineData("ISO-8859-1", ExportEncoding.Latin1)]
    [InlineData("cp1252", ExportEncoding.Windows1252)]
    [InlineData("UTF-16", ExportEncoding.Utf16)]
    [InlineData("utf-8", ExportEncoding.Utf8)]
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
}
