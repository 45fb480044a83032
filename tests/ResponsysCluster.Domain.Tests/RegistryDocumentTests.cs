using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Registry;

namespace ResponsysCluster.Domain.Tests;

public sealed class RegistryDocumentTests
{
    private const string Login = "\"host\": \"h\", \"username\": \"u\", \"path\": \"/p\"";

    [Theory]
    [InlineData("\"password\": \"hunter2\"", "password", "password_env")]
    [InlineData("\"private_key\": \"-----BEGIN OPENSSH PRIVATE KEY-----\"", "private_key", "private_key_file")]
    [InlineData("\"private_key_file\": \"/k\", \"private_key_passphrase\": \"hunter2\"", "private_key_passphrase", "private_key_passphrase_env")]
    public void Should_refuse_a_secret_given_inline_naming_the_key_and_the_reference_to_give_instead_without_the_secret(string secret, string key, string instead)
    {
        var refused = Assert.Throws<ConfigException>(() => RegistryDocument.Parse($"{{{Login}, {secret}}}", "/home/me", _ => null));

        Assert.Equal(key, refused.Key);
        Assert.Contains($"give {instead} ", refused.Reason + " ");
        Assert.DoesNotContain("hunter2", refused.Message);
        Assert.DoesNotContain("BEGIN", refused.Message);
    }

    [Fact]
    public void Should_take_secrets_by_reference_and_resolve_them_from_the_environment_it_is_given()
    {
        var parsed = RegistryDocument.Parse($"{{{Login}, \"password_env\": \"PW\", \"private_key_file\": \"~/id\"}}", "/home/me",
            name => name == "PW" ? "hunter2" : null);

        Assert.Equal("hunter2", parsed.Config.Password!.Reveal());
        Assert.Equal("/home/me/id", parsed.Config.PrivateKeyFile);
    }

    [Fact]
    public void Should_report_a_bad_key_as_the_config_parser_does_before_looking_for_secrets()
    {
        var refused = Assert.Throws<ConfigException>(() => RegistryDocument.Parse($"{{{Login}, \"port\": \"x\", \"password\": \"p\"}}", "/home/me"));

        Assert.Equal("port", refused.Key);
    }

    private const string Pinned = "\"host_key_fingerprint\": \"SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"";

    [Theory]
    [InlineData("\"password\": \"hunter2\"", "jump_host.password", "jump_host.password_env")]
    [InlineData("\"private_key\": \"-----BEGIN OPENSSH PRIVATE KEY-----\"", "jump_host.private_key", "jump_host.private_key_file")]
    [InlineData("\"private_key_file\": \"/k\", \"private_key_passphrase\": \"hunter2\"", "jump_host.private_key_passphrase", "jump_host.private_key_passphrase_env")]
    public void Should_refuse_a_jump_hosts_secret_given_inline_as_the_servers_own(string secret, string key, string instead)
    {
        var json = $"{{{Login}, \"private_key_file\": \"/k\", {Pinned}, \"jump_host\": {{\"host\": \"b\", \"username\": \"j\", {Pinned}, {secret}}}}}";

        var refused = Assert.Throws<ConfigException>(() => RegistryDocument.Parse(json, "/home/me", _ => null));

        Assert.Equal(key, refused.Key);
        Assert.Contains($"give {instead} ", refused.Reason + " ");
        Assert.DoesNotContain("hunter2", refused.Message);
        Assert.DoesNotContain("BEGIN", refused.Message);
    }

    [Fact]
    public void Should_take_a_jump_hosts_password_by_reference()
    {
        var json = $"{{{Login}, \"private_key_file\": \"/k\", {Pinned}, \"jump_host\": {{\"host\": \"b\", \"username\": \"j\", {Pinned}, \"password_env\": \"JUMP_PW\"}}}}";

        var parsed = RegistryDocument.Parse(json, "/home/me", name => name == "JUMP_PW" ? "hunter2" : null);

        Assert.Equal("hunter2", parsed.Config.JumpHost!.Password!.Reveal());
    }
}
