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
}
