using Org.BouncyCastle.Bcpg.OpenPgp;
using ResponsysCluster.Domain.Configuration;

namespace ResponsysCluster.Csv.Decoding;

/// <summary>
/// A connection's OpenPGP keys: the secret keys that decrypt its exports (with their passphrase) and, when the
/// connection names one, the signer's public keys that every encrypted export must be signed with.
/// </summary>
public sealed class OpenPgpKeys
{
    private readonly PgpSecretKeyRingBundle secretKeys;
    private readonly Secret? passphrase;
    private readonly PgpPublicKeyRingBundle? signerKeys;

    private OpenPgpKeys(PgpSecretKeyRingBundle secretKeys, Secret? passphrase, PgpPublicKeyRingBundle? signerKeys)
    {
        this.secretKeys = secretKeys;
        this.passphrase = passphrase;
        this.signerKeys = signerKeys;
    }

    /// <summary>Whether a signature by the signer is required.</summary>
    public bool RequiresSignature => signerKeys is not null;

    /// <summary>
    /// Reads the key files the connection names (binary or ASCII-armoured); null when it names none. A file that
    /// cannot be read or holds no key of its kind is a <see cref="ConfigException"/> naming its key.
    /// </summary>
    public static OpenPgpKeys? From(ConnectionConfig config)
    {
        if (config.PgpPrivateKeyFile is not { } privateKeyFile) return null;
        var secretKeys = ReadKeyFile("pgp_private_key_file", privateKeyFile, s => new PgpSecretKeyRingBundle(s), b => b.Count);
        var signerKeys = config.PgpSignerPublicKeyFile is { } signerFile
            ? ReadKeyFile("pgp_signer_public_key_file", signerFile, s => new PgpPublicKeyRingBundle(s), b => b.Count)
            : null;
        return new OpenPgpKeys(secretKeys, config.PgpPassphrase, signerKeys);
    }

    /// <summary>The private key of <paramref name="keyId"/>, unlocked; null when the connection has no such secret key.</summary>
    /// <exception cref="PgpException">The passphrase does not unlock it.</exception>
    internal PgpPrivateKey? PrivateKey(long keyId) =>
        secretKeys.GetSecretKey(keyId)?.ExtractPrivateKey(passphrase?.Reveal().ToCharArray() ?? []);

    /// <summary>The signer's public key of <paramref name="keyId"/>; null when the signer has no such key.</summary>
    internal PgpPublicKey? SignerKey(long keyId) => signerKeys?.GetPublicKey(keyId);

    private static T ReadKeyFile<T>(string key, string path, Func<Stream, T> read, Func<T, int> count)
    {
        try
        {
            using var file = File.OpenRead(path);
            using var decoded = PgpUtilities.GetDecoderStream(file);
            var keys = read(decoded);
            return count(keys) > 0 ? keys : throw new ConfigException(key, $"{path} holds no OpenPGP key of that kind");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PgpException or ArgumentException)
        {
            throw new ConfigException(key, $"cannot read the OpenPGP key file {path}: {ex.Message}");
        }
    }
}
