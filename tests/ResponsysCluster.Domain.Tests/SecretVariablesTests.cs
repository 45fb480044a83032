using ResponsysCluster.Domain.Configuration;

namespace ResponsysCluster.Domain.Tests;

/// <summary><c>password_env</c> and <c>private_key_passphrase_env</c>: a secret named by its environment variable, never written in the file.</summary>
public sealed class SecretVariablesTests
{
    private static readonly Dictionary<string, string?> Variables = new() { ["SFTP_PASSWORD"] = "s3cret", ["KEY_PASSPHRASE"] = "pp", ["EMPTY"] = "" };

    private static ConnectionConfig Parse(string keys)
    {
        var parsed = ConnectionConfigParser.Parse($$"""{"host": "h", "username": "u", "path": "/p", {{keys}}}""", "/home/me", Variables.GetValueOrDefault);
        // Every key these tests give is one of the format's: none may be passed over as unknown.
        Assert.Empty(parsed.IgnoredKeys);
        return parsed.Config;
    }

    private static ConfigException Refused(string keys) => Assert.Throws<ConfigException>(() => Parse(keys));

    [Fact]
    public void Should_take_the_password_and_the_passphrase_from_the_variables_they_name()
    {
        var config = Parse("""
            "password_env": "SFTP_PASSWORD", "private_key_file": "/k", "private_key_passphrase_env": "KEY_PASSPHRASE"
            """);

        Assert.Equal(("s3cret", "pp"), (config.Password?.Reveal(), config.PrivateKeyPassphrase?.Reveal()));
    }

    [Fact]
    public void Should_accept_a_password_variable_as_the_only_login()
    {
        Assert.Equal("s3cret", Parse("""  "password_env": "SFTP_PASSWORD"  """).Password?.Reveal());
    }

    [Theory]
    [InlineData("NOT_SET")]
    [InlineData("EMPTY")]
    public void Should_refuse_a_variable_that_is_not_set_naming_it_and_the_key(string variable)
    {
        var error = Refused($""" "password_env": "{variable}" """);

        Assert.Equal(("password_env", $"the environment variable {variable} is not set"), (error.Key, error.Reason));
    }

    [Fact]
    public void Should_refuse_a_secret_given_both_inline_and_by_variable()
    {
        var error = Refused(""" "private_key_file": "/k", "private_key_passphrase": "x", "private_key_passphrase_env": "KEY_PASSPHRASE" """);

        Assert.Equal(("private_key_passphrase_env", "give either private_key_passphrase or private_key_passphrase_env, not both"), (error.Key, error.Reason));
    }

    [Theory]
    [InlineData("1PASSWORD")]
    [InlineData("SFTP-PASSWORD")]
    [InlineData("$SFTP_PASSWORD")]
    public void Should_refuse_what_is_not_a_variable_name(string name)
    {
        var error = Refused($""" "password_env": "{name}" """);

        Assert.Equal(("password_env", $"'{name}' is not an environment variable name"), (error.Key, error.Reason));
    }

    [Fact]
    public void Should_never_show_the_secret_a_variable_holds()
    {
        var config = Parse("""  "password_env": "SFTP_PASSWORD"  """);

        Assert.DoesNotContain("s3cret", config.ToString());
        Assert.DoesNotContain("s3cret", config.Password!.ToString());
    }
}
