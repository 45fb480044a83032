using ResponsysCluster.Domain.Configuration;

namespace ResponsysCluster.Domain.Tests;

/// <summary>The keys this product adds to tap-responsys's: identity, target schema, time zone, download limit.</summary>
public sealed class ConnectionConfigKeysTests
{
    private const string Login = """ "host": "files.responsys.net", "username": "acme_scp", "path": "/home/cli/acme_scp/download/", "password": "x" """;

    private static ConnectionConfig Parse(string extraKeys = "")
    {
        var parsed = ConnectionConfigParser.Parse("{" + Login + (extraKeys.Length > 0 ? ", " + extraKeys : "") + "}", "/home/me");
        // Every key these tests give is one of the format's: none may be passed over as unknown.
        Assert.Empty(parsed.IgnoredKeys);
        return parsed.Config;
    }

    private static ConfigException Fails(string extraKeys) => Assert.Throws<ConfigException>(() => Parse(extraKeys));

    [Fact]
    public void Should_default_every_new_key()
    {
        var config = Parse();
        Assert.Equal("acme_scp_files_responsys_net_22_home_cli_acme_scp_download", config.ConnectionId);
        // "responsys_" and the id make 68 bytes: cut to PostgreSQL's 63 with a hash, as PostgresIdentifier does.
        Assert.Equal("responsys_acme_scp_files_responsys_net_22_home_cli_acm_55521053", config.TargetSchema);
        Assert.Same(TimeZoneInfo.Utc, config.TimeZone);
        Assert.Equal(2, config.MaxConcurrentDownloads);
        Assert.Null(config.Schedule);
    }

    [Fact]
    public void Should_give_the_same_defaults_to_a_config_built_in_code()
    {
        var built = new ConnectionConfig { Host = "files.responsys.net", Username = "acme_scp", Path = "/home/cli/acme_scp/download" };
        Assert.Equal(Parse().ConnectionId, built.ConnectionId);
        Assert.Equal(Parse().TargetSchema, built.TargetSchema);
    }

    [Theory]
    [InlineData("acme")]
    [InlineData("Acme-EU_2")]
    public void Should_take_the_connection_id_as_given(string id)
    {
        Assert.Equal(id, Parse($$""" "connection_id": "{{id}}" """).ConnectionId);
    }

    [Theory]
    [InlineData("acme", "responsys_acme")]
    [InlineData("Acme-EU", "responsys_acme_eu")]
    [InlineData("2024", "responsys_2024")]
    public void Should_derive_the_target_schema_from_the_connection_id(string id, string schema)
    {
        Assert.Equal(schema, Parse($$""" "connection_id": "{{id}}" """).TargetSchema);
    }

    [Fact]
    public void Should_cut_a_long_default_schema_to_63_bytes()
    {
        var schema = Parse($$""" "connection_id": "{{new string('a', 64)}}" """).TargetSchema;
        Assert.Equal(63, schema.Length);
        Assert.StartsWith("responsys_aaa", schema);
    }

    [Theory]
    [InlineData("public")]
    [InlineData("responsys")]
    [InlineData("_2024_exports")]
    public void Should_take_the_target_schema_as_given(string schema)
    {
        Assert.Equal(schema, Parse($$""" "connection_id": "acme", "target_schema": "{{schema}}" """).TargetSchema);
    }

    [Theory]
    [InlineData("UTC")]
    [InlineData("Europe/Paris")]
    [InlineData("America/Los_Angeles")]
    [InlineData("Etc/UTC")]
    [InlineData("US/Eastern")]
    public void Should_read_the_time_zone_by_iana_id(string id)
    {
        Assert.Equal(id, Parse($$""" "time_zone": "{{id}}" """).TimeZone.Id);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("32", 32)]
    [InlineData("\"8\"", 8)]
    public void Should_read_max_concurrent_downloads(string value, int expected)
    {
        Assert.Equal(expected, Parse($$""" "max_concurrent_downloads": {{value}} """).MaxConcurrentDownloads);
    }

    [Theory]
    [InlineData(""" "connection_id": "acme eu" """, "connection_id")]
    [InlineData(""" "connection_id": "acme.eu" """, "connection_id")]
    [InlineData(""" "connection_id": 42 """, "connection_id")]
    [InlineData(""" "connection_id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" """, "connection_id")]
    [InlineData(""" "connection_id": "cluster" """, "connection_id")]
    [InlineData(""" "target_schema": "Responsys" """, "target_schema")]
    [InlineData(""" "target_schema": "my-schema" """, "target_schema")]
    [InlineData(""" "target_schema": "1responsys" """, "target_schema")]
    [InlineData(""" "target_schema": "pg_responsys" """, "target_schema")]
    [InlineData(""" "target_schema": "responsys_cluster" """, "target_schema")]
    [InlineData(""" "target_schema": "information_schema" """, "target_schema")]
    [InlineData(""" "target_schema": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" """, "target_schema")]
    [InlineData(""" "time_zone": "Mars/Olympus_Mons" """, "time_zone")]
    [InlineData(""" "time_zone": "europe/paris" """, "time_zone")]
    [InlineData(""" "time_zone": "utc" """, "time_zone")]
    [InlineData(""" "time_zone": "../../etc/passwd" """, "time_zone")]
    [InlineData(""" "time_zone": 1 """, "time_zone")]
    [InlineData(""" "max_concurrent_downloads": 0 """, "max_concurrent_downloads")]
    [InlineData(""" "max_concurrent_downloads": 33 """, "max_concurrent_downloads")]
    [InlineData(""" "max_concurrent_downloads": "many" """, "max_concurrent_downloads")]
    [InlineData(""" "max_concurrent_downloads": 1.5 """, "max_concurrent_downloads")]
    public void Should_name_the_new_key_that_is_wrong(string keys, string key)
    {
        var error = Fails(keys);
        Assert.Equal(key, error.Key);
        Assert.Contains($"'{key}'", error.Message);
    }

    [Fact]
    public void Should_not_report_the_new_keys_as_ignored()
    {
        var parsed = ConnectionConfigParser.Parse("{" + Login + """
            , "connection_id": "acme", "target_schema": "acme", "time_zone": "UTC", "max_concurrent_downloads": 4, "schedule": {"every": 60}}
            """, "/home/me");
        Assert.Empty(parsed.IgnoredKeys);
    }
}
