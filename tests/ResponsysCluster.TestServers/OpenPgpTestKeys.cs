using System.Text;

namespace ResponsysCluster.TestServers;

/// <summary>
/// Three OpenPGP keys made by Debian's <c>gpg</c> in a throwaway home: the connection's (the recipient, protected by
/// <see cref="Passphrase"/>), Responsys's signer, and a stranger's. Exports are encrypted (and signed) by
/// <c>gpg</c> itself. The key files the connection names are written under <see cref="Directory"/>. Disposing it
/// stops the home's gpg-agent and deletes everything.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class OpenPgpTestKeys : IAsyncLifetime
{
    public const string Passphrase = "correct horse battery staple";
    public const string Recipient = "recipient@example.com";
    public const string Signer = "signer@example.com";
    public const string Stranger = "stranger@example.com";

    private string home = "";

    /// <summary>Holds the key files (0644, so the test SFTP user and the engine can read them).</summary>
    public string Directory { get; private set; } = "";

    /// <summary>The recipient's secret key, ASCII-armoured: the connection's <c>pgp_private_key_file</c>.</summary>
    public string RecipientSecretKeyFile => Path.Combine(Directory, "recipient-secret.asc");

    /// <summary>The signer's public key: the connection's <c>pgp_signer_public_key_file</c>.</summary>
    public string SignerPublicKeyFile => Path.Combine(Directory, "signer-public.asc");

    /// <summary>The stranger's public key, for a signer the file was not signed by.</summary>
    public string StrangerPublicKeyFile => Path.Combine(Directory, "stranger-public.asc");

    public async Task InitializeAsync()
    {
        await ExportArchives.EnsureToolsAsync();
        Directory = System.IO.Directory.CreateTempSubdirectory("rsx-pgp-").FullName;
        File.SetUnixFileMode(Directory, (UnixFileMode)0b111_101_101);
        home = Path.Combine(Directory, "gnupg");
        System.IO.Directory.CreateDirectory(home);
        File.SetUnixFileMode(home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var (name, email) in new[] { ("Recipient", Recipient), ("Signer", Signer), ("Stranger", Stranger) })
        {
            var parameters = Path.Combine(Directory, name + ".params");
            await File.WriteAllTextAsync(parameters, $"""
                Key-Type: RSA
                Key-Length: 2048
                Key-Usage: sign
                Subkey-Type: RSA
                Subkey-Length: 2048
                Subkey-Usage: encrypt
                Name-Real: {name}
                Name-Email: {email}
                Passphrase: {Passphrase}
                Expire-Date: 0
                %commit

                """);
            await GpgAsync("--gen-key", parameters);
        }
        await WriteAsync(RecipientSecretKeyFile, await GpgAsync("--armor", "--export-secret-keys", Recipient));
        await WriteAsync(SignerPublicKeyFile, await GpgAsync("--armor", "--export", Signer));
        await WriteAsync(StrangerPublicKeyFile, await GpgAsync("--armor", "--export", Stranger));
    }

    /// <summary>
    /// <paramref name="content"/> encrypted by <c>gpg</c> for <paramref name="recipient"/>, signed by
    /// <paramref name="signer"/> when given, ASCII-armoured when <paramref name="armor"/>.
    /// </summary>
    public Task<byte[]> EncryptAsync(string content, string recipient = Recipient, string? signer = Signer, bool armor = false) =>
        EncryptAsync(new UTF8Encoding(false).GetBytes(content), recipient, signer, armor);

    /// <inheritdoc cref="EncryptAsync(string, string, string?, bool)"/>
    public Task<byte[]> EncryptAsync(byte[] content, string recipient = Recipient, string? signer = Signer, bool armor = false) =>
        ExportArchives.InScratchAsync(async dir =>
        {
            var input = Path.Combine(dir, "export");
            await File.WriteAllBytesAsync(input, content);
            List<string> arguments = ["--trust-model", "always", "--encrypt", "--recipient", recipient, "--output", input + ".gpg"];
            if (signer is not null) arguments.AddRange(["--sign", "--local-user", signer]);
            if (armor) arguments.Add("--armor");
            arguments.Add(input);
            await GpgAsync([.. arguments]);
            return await File.ReadAllBytesAsync(input + ".gpg");
        });

    public async Task DisposeAsync()
    {
        if (home.Length > 0) await ProcessRunner.RunAsync("gpgconf", ["--homedir", home, "--kill", "all"]);
        if (Directory.Length > 0) System.IO.Directory.Delete(Directory, recursive: true);
    }

    private async Task<string> GpgAsync(params string[] arguments) =>
        (await ProcessRunner.RunCheckedAsync("gpg",
            ["--homedir", home, "--batch", "--yes", "--pinentry-mode", "loopback", "--passphrase", Passphrase, .. arguments])).StandardOutput;

    private static async Task WriteAsync(string path, string text)
    {
        await File.WriteAllTextAsync(path, text);
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
    }
}
