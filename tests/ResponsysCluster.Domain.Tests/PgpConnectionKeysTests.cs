using ResponsysCluster.Domain.Configuration;

namespace ResponsysCluster.Domain.Tests;

/// <summary><c>pgp_private_key_file</c>, <c>pgp_passphrase_env</c>, <c>pgp_signer_public_key_file</c>: the keys of encrypted exports.</summary>
public sealed class PgpConnectionKeysTests
{
    private static readonly Dictionary<string, string?> Variables = new() { ["PGP_PASSPHRASE"] = "open sesame" };

    private static ConnectionConfig Parse(string keys)
    {
        var parsed = ConnectionConfigParser.Parse($$"""{"host": "h", "username": "u", "path": "/p", "password": "x"{{keys}}}""", "/home/me", Variables.GetValueOrDefault);
        // Every key these tests give is one of the format's: none may be passed over as unknown.
        Assert.Empty(parsed.IgnoredKeys);
        return parsed.Config;
    }

    private static ConfigException Refused(string keys) => Assert.Throws<ConfigException>(() => Parse(keys));

    [Fact]
    public void Should_read_the_key_files_and_the_passphrase_from_its_variable()
    {
        var config = Parse("""
            , "pgp_private_key_file": "~/keys/responsys.asc", "pgp_passphrase_env": "PGP_PASSPHRASE", "pgp_signer_public_key_file": "/keys/oracle.asc"
            """);
        Assert.Equal(("/home/me/keys/responsys.asc", "open sesame", "/keys/oracle.asc"),
            (config.PgpPrivateKeyFile, config.PgpPassphrase?.Reveal(), config.PgpSignerPublicKeyFile));
    }

    [Fact]
    public void Should_need_no_pgp_key_at_all()
    {
        var config = Parse("");
        Assert.Equal((null, null, null), (config.PgpPrivateKeyFile, config.PgpPassphrase, config.PgpSignerPublicKeyFile));
    }

    [Theory]
    [InlineData(""", "pgp_private_key_file": "/k", "pgp_passphrase": "open sesame" """, "pgp_passphrase",
        "give the passphrase by pgp_passphrase_env (the name of an environment variable holding it), never inline")]
    [InlineData(""", "pgp_private_key_file": "/k", "pgp_passphrase_env": "UNSET" """, "pgp_passphrase_env", "the environment variable UNSET is not set")]
    [InlineData(""", "pgp_private_key_file": "/k", "pgp_passphrase_env": "2PASS" """, "pgp_passphrase_env", "'2PASS' is not an environment variable name")]
    [InlineData(""", "pgp_passphrase_env": "PGP_PASSPHRASE" """, "pgp_passphrase_env", "needs pgp_private_key_file (the key the passphrase unlocks)")]
    [InlineData(""", "pgp_signer_public_key_file": "/s" """, "pgp_signer_public_key_file",
        "needs pgp_private_key_file (signatures are verified on decrypted files)")]
    public void Should_refuse_an_inline_passphrase_and_keys_without_the_private_key(string keys, string key, string reason)
    {
        var refused = Refused(keys);
        Assert.Equal((key, reason), (refused.Key, refused.Reason));
        Assert.DoesNotContain("open sesame", refused.Message);
    }
}
