using ICSharpCode.SharpZipLib;
using ICSharpCode.SharpZipLib.GZip;
using Org.BouncyCastle.Bcpg.OpenPgp;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;

namespace ResponsysCluster.Csv.Decoding;

/// <summary>
/// Turns the bytes of a compressed or encrypted export back into its CSV, as stream stages between the export
/// directory and the CSV reader: decryption (OpenPGP) first, then decompression (gzip, zip). Nothing is written to
/// disk or held whole: memory does not grow with the file. A corrupt archive, a wrong key, a bad signature or a
/// truncated file is an <see cref="ExportFileException"/> naming the file and the reason, raised before the reader
/// is told the file ended.
/// </summary>
public sealed class ExportFileDecoder
{
    private readonly Lazy<OpenPgpKeys?> keys;

    public ExportFileDecoder(OpenPgpKeys? keys) => this.keys = new Lazy<OpenPgpKeys?>(keys);

    private ExportFileDecoder(Func<OpenPgpKeys?> readKeys) => keys = new Lazy<OpenPgpKeys?>(readKeys);

    /// <summary>
    /// The decoder of <paramref name="config"/>'s exports. Its key files are read when the first encrypted file is,
    /// so that plain files never depend on them; a key file that cannot be used fails each encrypted file, naming it.
    /// </summary>
    public static ExportFileDecoder For(ConnectionConfig config) => new(() => OpenPgpKeys.From(config));

    /// <summary>Decodes <paramref name="raw"/> (owned: disposing the result disposes it) by the layers of its name.</summary>
    public Stream Decode(Stream raw, string path, ExportFileLayers layers)
    {
        if (layers.IsPlain) return raw;
        try
        {
            var stream = layers.Encrypted ? OpenPgpDecryption.Open(raw, path, Keys(path)) : raw;
            stream = layers.Compression switch
            {
                // Not System.IO.Compression's GZipStream: it ends a truncated file quietly, where this one checks
                // each member's CRC and length.
                ExportCompression.Gzip => new GZipInputStream(stream) { IsStreamOwner = true },
                ExportCompression.Zip => ZipEntryDecompression.Open(stream, path),
                _ => stream,
            };
            return new DecodingFailures(stream, path);
        }
        catch (Exception ex) when (Failure(ex, path) is { } failure)
        {
            raw.Dispose();
            throw failure;
        }
        catch
        {
            raw.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Decodes one entry of a zip of several files from <paramref name="entryBytes"/>, its stored bytes (owned), as
    /// the file at <paramref name="path"/> (<c>NAME.zip!entry</c>).
    /// </summary>
    public static Stream DecodeZipEntry(Stream entryBytes, string path, ZipFileEntry entry)
    {
        try
        {
            return new DecodingFailures(ZipEntryDecompression.OpenEntry(entryBytes, path, entry), path);
        }
        catch (Exception ex) when (Failure(ex, path) is { } failure)
        {
            entryBytes.Dispose();
            throw failure;
        }
        catch
        {
            entryBytes.Dispose();
            throw;
        }
    }

    private OpenPgpKeys? Keys(string path)
    {
        try
        {
            return keys.Value;
        }
        catch (ConfigException ex)
        {
            throw new ExportFileException(path, $"cannot decrypt: {ex.Message}", inner: ex);
        }
    }

    /// <summary>What a decoding stage's own exception means for the file; null for exceptions that are not about its content.</summary>
    internal static ExportFileException? Failure(Exception ex, string path) => ex switch
    {
        ExportFileException file => file,
        PgpException when ex.Message.Contains("checksum mismatch", StringComparison.OrdinalIgnoreCase) =>
            new ExportFileException(path, "wrong passphrase: pgp_passphrase_env does not unlock the connection's pgp_private_key_file", inner: ex),
        PgpException => new ExportFileException(path, $"cannot decrypt: {ex.Message}", inner: ex),
        SharpZipBaseException => new ExportFileException(path, $"corrupt or truncated archive: {ex.Message}", inner: ex),
        EndOfStreamException => new ExportFileException(path, $"the file is truncated: {ex.Message}", inner: ex),
        _ => null,
    };

    /// <summary>The last stage: a decoding error while reading becomes the file's failure.</summary>
    private sealed class DecodingFailures(Stream inner, string path) : ReadOnlyDecodingStream
    {
        public override int Read(Span<byte> buffer)
        {
            try
            {
                return inner.Read(buffer);
            }
            catch (Exception ex) when (Failure(ex, path) is { } failure && failure != ex)
            {
                throw failure;
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
