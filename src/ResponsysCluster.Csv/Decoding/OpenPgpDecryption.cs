using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using ResponsysCluster.Domain.Files;

namespace ResponsysCluster.Csv.Decoding;

/// <summary>
/// Decrypts an OpenPGP message (binary or ASCII-armoured) as a stream: only the packet headers are read when it
/// opens, the literal data as the reader asks for it. The integrity check (MDC) and, when the connection names a
/// signer, the one-pass signature are verified when the reader reaches the end, before it is told the end: a file
/// that fails them fails while its rows are still uncommitted.
/// </summary>
internal static class OpenPgpDecryption
{
    public static Stream Open(Stream encrypted, string path, OpenPgpKeys? keys)
    {
        if (keys is null)
            throw new ExportFileException(path, "the file is OpenPGP-encrypted and the connection has no pgp_private_key_file to decrypt it");

        var factory = new PgpObjectFactory(Dearmoured(encrypted));
        var first = factory.NextPgpObject();
        if (first is PgpMarker) first = factory.NextPgpObject();
        if (first is not PgpEncryptedDataList encryptedData)
            throw new ExportFileException(path, $"not an OpenPGP encrypted message (it starts with {Describe(first)})");

        var (data, privateKey) = encryptedData.GetEncryptedDataObjects().OfType<PgpPublicKeyEncryptedData>()
            .Select(d => (Data: d, Key: keys.PrivateKey(d.KeyId)))
            .FirstOrDefault(d => d.Key is not null);
        if (data is null || privateKey is null)
        {
            var recipients = string.Join(", ", encryptedData.GetEncryptedDataObjects().OfType<PgpPublicKeyEncryptedData>().Select(d => d.KeyId.ToString("X16")));
            throw new ExportFileException(path, $"wrong key: the file is encrypted for key {recipients}, not for the connection's pgp_private_key_file");
        }
        if (!data.IsIntegrityProtected())
            throw new ExportFileException(path, "the encrypted file has no integrity protection (MDC): it could have been altered, so it is not read");

        var content = new PgpObjectFactory(data.GetDataStream(privateKey));
        var message = content.NextPgpObject();
        if (message is PgpCompressedData compressed)
        {
            content = new PgpObjectFactory(compressed.GetDataStream());
            message = content.NextPgpObject();
        }

        PgpOnePassSignature? signature = null;
        if (message is PgpOnePassSignatureList onePass)
        {
            if (keys.RequiresSignature) signature = StartVerifying(onePass, keys, path);
            message = content.NextPgpObject();
        }
        else if (keys.RequiresSignature)
        {
            throw new ExportFileException(path, "bad signature: the file is not signed, and the connection's pgp_signer_public_key_file requires a signature");
        }

        if (message is not PgpLiteralData literal)
            throw new ExportFileException(path, $"the decrypted message holds {Describe(message)}, not file data");
        return new VerifyingStream(literal.GetInputStream(), data, content, signature, path);
    }

    /// <summary>
    /// The binary packets of <paramref name="encrypted"/>, de-armoured when it is ASCII. Decided by its first byte (a
    /// binary packet's has the high bit set), as BouncyCastle's own detection would, but without seeking: SFTP streams cannot.
    /// </summary>
    private static Stream Dearmoured(Stream encrypted)
    {
        var first = encrypted.ReadByte();
        if (first < 0) throw new EndOfStreamException("the file is empty");
        var whole = new FirstByteReplayed((byte)first, encrypted);
        return (first & 0x80) != 0 ? whole : new ArmoredInputStream(whole);
    }

    private static PgpOnePassSignature StartVerifying(PgpOnePassSignatureList onePass, OpenPgpKeys keys, string path)
    {
        for (var i = 0; i < onePass.Count; i++)
        {
            if (keys.SignerKey(onePass[i].KeyId) is not { } signer) continue;
            onePass[i].InitVerify(signer);
            return onePass[i];
        }
        var signers = string.Join(", ", Enumerable.Range(0, onePass.Count).Select(i => onePass[i].KeyId.ToString("X16")));
        throw new ExportFileException(path, $"bad signature: the file is signed by key {signers}, not by the connection's pgp_signer_public_key_file");
    }

    private static string Describe(PgpObject? pgpObject) => pgpObject is null ? "nothing OpenPGP can read" : pgpObject.GetType().Name;

    /// <summary>A stream whose first byte was read already, given back first.</summary>
    private sealed class FirstByteReplayed(byte first, Stream rest) : ReadOnlyDecodingStream
    {
        private bool replayed;

        public override int Read(Span<byte> buffer)
        {
            if (replayed || buffer.IsEmpty) return rest.Read(buffer);
            buffer[0] = first;
            replayed = true;
            return 1;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) rest.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>The literal data, fed to the signature as it is read; the checks run at its end.</summary>
    private sealed class VerifyingStream(Stream literal, PgpPublicKeyEncryptedData data, PgpObjectFactory content, PgpOnePassSignature? signature, string path)
        : ReadOnlyDecodingStream
    {
        private bool verified;

        public override int Read(Span<byte> buffer)
        {
            var read = literal.Read(buffer);
            if (read > 0)
            {
                signature?.Update(buffer[..read]);
                return read;
            }
            if (!verified && buffer.Length > 0) Verify();
            return 0;
        }

        private void Verify()
        {
            if (signature is not null)
            {
                if (content.NextPgpObject() is not PgpSignatureList signatures || signatures.Count == 0)
                    throw new ExportFileException(path, "bad signature: the file ends without the signature its header announced (truncated?)");
                var matching = Enumerable.Range(0, signatures.Count).Select(i => signatures[i]).FirstOrDefault(s => s.KeyId == signature.KeyId);
                if (matching is null || !signature.Verify(matching))
                    throw new ExportFileException(path, "bad signature: the signature does not match the file's content (altered, or signed by another key)");
            }
            if (!data.Verify())
                throw new ExportFileException(path, "the integrity check (MDC) failed: the encrypted file was altered or truncated");
            verified = true;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) literal.Dispose();
            base.Dispose(disposing);
        }
    }
}
