using System.Text;
using ResponsysCluster.Csv.Decoding;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Csv.Tests;

/// <summary>The decoding stages, on files made by Debian's gzip, zip and gpg.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ExportFileDecoderTests(OpenPgpTestKeys keys) : IClassFixture<OpenPgpTestKeys>
{
    private const string Path = "/exports/LIST_20180911";
    private const string Csv = "RIID_,EMAIL_ADDRESS_\n1,a@example.com\n2,b@example.com\n";

    private ExportFileDecoder Decoder(string? signer = null, string passphrase = OpenPgpTestKeys.Passphrase) =>
        new(OpenPgpKeys.From(new ConnectionConfig
        {
            Host = "h", Username = "u", Path = "/exports",
            PgpPrivateKeyFile = keys.RecipientSecretKeyFile,
            PgpPassphrase = new Secret(passphrase),
            PgpSignerPublicKeyFile = signer,
        }));

    private static string Read(ExportFileDecoder decoder, byte[] bytes, string fileName)
    {
        var layers = ExportFileName.TryParse(fileName)!.Layers;
        // Forward-only, as an SFTP stream is.
        using var decoded = decoder.Decode(new ForwardOnlyStream(new MemoryStream(bytes)), Path, layers);
        using var text = new StreamReader(decoded, Encoding.UTF8);
        return text.ReadToEnd();
    }

    private static ExportFileException Fails(ExportFileDecoder decoder, byte[] bytes, string fileName) =>
        Assert.Throws<ExportFileException>(() => Read(decoder, bytes, fileName));

    [Fact]
    public async Task Should_decompress_a_gzip_file()
    {
        Assert.Equal(Csv, Read(Decoder(), await ExportArchives.GzipAsync(Csv), "LIST.csv.gz"));
    }

    [Fact]
    public async Task Should_read_the_entry_of_a_zip_file()
    {
        Assert.Equal(Csv, Read(Decoder(), await ExportArchives.ZipAsync(("LIST.csv", Csv)), "LIST.zip"));
    }

    [Fact]
    public async Task Should_read_a_zip_entry_whose_sizes_follow_its_data()
    {
        Assert.Equal(Csv, Read(Decoder(), await ExportArchives.StreamedZipAsync(Csv), "LIST.zip"));
    }

    [Fact]
    public async Task Should_decrypt_and_verify_a_signed_file()
    {
        var encrypted = await keys.EncryptAsync(Csv);
        Assert.Equal(Csv, Read(Decoder(keys.SignerPublicKeyFile), encrypted, "LIST.csv.gpg"));
    }

    [Fact]
    public async Task Should_decrypt_an_armoured_file_and_a_file_without_signature_when_no_signer_is_named()
    {
        Assert.Equal(Csv, Read(Decoder(), await keys.EncryptAsync(Csv, armor: true), "LIST.csv.asc"));
        Assert.Equal(Csv, Read(Decoder(), await keys.EncryptAsync(Csv, signer: null), "LIST.csv.pgp"));
    }

    [Fact]
    public async Task Should_decrypt_then_unzip_an_encrypted_zip()
    {
        var encrypted = await keys.EncryptAsync(await ExportArchives.ZipAsync(("LIST.csv", Csv)));
        Assert.Equal(Csv, Read(Decoder(keys.SignerPublicKeyFile), encrypted, "LIST.zip.gpg"));
    }

    [Fact]
    public async Task Should_fail_a_file_encrypted_for_another_key()
    {
        var failure = Fails(Decoder(), await keys.EncryptAsync(Csv, recipient: OpenPgpTestKeys.Stranger), "LIST.csv.gpg");
        Assert.Equal(Path, failure.FilePath);
        Assert.StartsWith("wrong key", failure.Reason);
    }

    [Fact]
    public async Task Should_fail_on_a_wrong_passphrase_without_showing_it()
    {
        var failure = Fails(Decoder(passphrase: "not it"), await keys.EncryptAsync(Csv), "LIST.csv.gpg");
        Assert.StartsWith("wrong passphrase", failure.Reason);
        Assert.DoesNotContain("not it", failure.Message);
    }

    [Fact]
    public async Task Should_fail_a_file_signed_by_another_key()
    {
        var failure = Fails(Decoder(keys.SignerPublicKeyFile), await keys.EncryptAsync(Csv, signer: OpenPgpTestKeys.Stranger), "LIST.csv.gpg");
        Assert.StartsWith("bad signature", failure.Reason);
    }

    [Fact]
    public async Task Should_fail_an_unsigned_file_when_the_connection_names_a_signer()
    {
        var failure = Fails(Decoder(keys.SignerPublicKeyFile), await keys.EncryptAsync(Csv, signer: null), "LIST.csv.gpg");
        Assert.StartsWith("bad signature", failure.Reason);
    }

    [Fact]
    public async Task Should_fail_a_truncated_encrypted_file()
    {
        var encrypted = await keys.EncryptAsync(Csv);
        var failure = Fails(Decoder(keys.SignerPublicKeyFile), encrypted[..(encrypted.Length - 40)], "LIST.csv.gpg");
        Assert.Equal(Path, failure.FilePath);
    }

    [Fact]
    public async Task Should_fail_a_truncated_gzip_file()
    {
        var gzip = await ExportArchives.GzipAsync(Csv);
        var failure = Fails(Decoder(), gzip[..(gzip.Length - 10)], "LIST.csv.gz");
        Assert.Equal(Path, failure.FilePath);
    }

    [Fact]
    public async Task Should_fail_a_corrupt_gzip_file()
    {
        var gzip = await ExportArchives.GzipAsync(Csv);
        gzip[12] ^= 0xFF;
        Assert.Equal(Path, Fails(Decoder(), gzip, "LIST.csv.gz").FilePath);
    }

    [Fact]
    public async Task Should_fail_a_truncated_zip_file()
    {
        var zip = await ExportArchives.ZipAsync(("LIST.csv", Csv));
        Assert.Equal(Path, Fails(Decoder(), zip[..40], "LIST.zip").FilePath);
    }

    [Fact]
    public async Task Should_fail_an_encrypted_file_when_the_connection_has_no_key()
    {
        var failure = Fails(new ExportFileDecoder(null), await keys.EncryptAsync(Csv), "LIST.csv.gpg");
        Assert.Contains("pgp_private_key_file", failure.Reason);
    }

    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
