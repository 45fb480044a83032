using System.Text;

namespace ResponsysCluster.TestServers;

/// <summary>
/// A directory on the test SFTP server that one test writes export files into, as Responsys Connect would.
/// The server has no chroot, so <see cref="Path"/> is both the local and the remote path.
/// Files are written 0644 (readable by the SFTP user) and appear atomically: each is written
/// in a staging directory next to this one, given its mtime, then renamed into place.
/// </summary>
public sealed class ExportDirectory
{
    private const UnixFileMode DirectoryPermissions =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode FilePermissions =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    private readonly string _stagingDirectory;

    /// <summary>Uses (and creates, 0755) the directory at <paramref name="path"/>.</summary>
    public ExportDirectory(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        var parent = System.IO.Path.GetDirectoryName(Path)
            ?? throw new ArgumentException("An export directory cannot be the file system root.", nameof(path));
        _stagingDirectory = System.IO.Path.Combine(parent, ".staging");
        CreateDirectory(Path);
        CreateDirectory(_stagingDirectory);
    }

    /// <summary>
    /// Creates the directory at <paramref name="path"/>, which must not exist yet: a test that got a directory
    /// another test (or an earlier run) already uses would read that test's files as its own.
    /// </summary>
    public static ExportDirectory CreateNew(string path)
    {
        if (Directory.Exists(path) || File.Exists(path))
            throw new InvalidOperationException($"Export directory {path} exists already: each test needs a directory of its own.");
        return new ExportDirectory(path);
    }

    /// <summary>Absolute path of the directory; also its path on the SFTP server.</summary>
    public string Path { get; }

    /// <summary>Absolute (local and remote) path of <paramref name="fileName"/> in this directory.</summary>
    public string PathOf(string fileName) => System.IO.Path.Combine(Path, CheckRelative(fileName));

    /// <summary>Writes <paramref name="content"/> as UTF-8 without BOM; sets the mtime when given.</summary>
    public void Write(string fileName, string content, DateTimeOffset? modified = null) =>
        WriteBytes(fileName, Utf8NoBom.GetBytes(content), modified);

    /// <summary>Writes <paramref name="bytes"/> as they are; sets the mtime when given.</summary>
    public void WriteBytes(string fileName, byte[] bytes, DateTimeOffset? modified = null)
    {
        if (OperatingSystem.IsWindows())
        {
            // The test servers are Linux processes; Unix permissions matter to the SFTP user.
            throw new PlatformNotSupportedException("Export directories need Unix file permissions.");
        }
        var target = PathOf(fileName);
        CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        var staged = System.IO.Path.Combine(_stagingDirectory, Guid.NewGuid().ToString("N"));
        using (var stream = new FileStream(staged, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = FilePermissions,
        }))
        {
            stream.Write(bytes);
        }
        File.SetUnixFileMode(staged, FilePermissions);
        if (modified is { } mtime)
        {
            File.SetLastWriteTimeUtc(staged, mtime.UtcDateTime);
        }
        File.Move(staged, target, overwrite: true);
    }

    /// <summary>
    /// Writes the ready file of <paramref name="dataFileName"/>: <c>&lt;name without extension&gt;.ready</c>
    /// (<c>CONTACTS_20240101.csv</c> → <c>CONTACTS_20240101.ready</c>). <paramref name="content"/> is
    /// typically empty or a record count; <c>null</c> writes an empty file.
    /// </summary>
    public void WriteReady(string dataFileName, string? content = "", DateTimeOffset? modified = null) =>
        Write(ReadyFileName(dataFileName), content ?? "", modified);

    /// <summary>The ready file name <see cref="WriteReady"/> writes for <paramref name="dataFileName"/>.</summary>
    public static string ReadyFileName(string dataFileName)
    {
        var directory = System.IO.Path.GetDirectoryName(dataFileName) ?? "";
        return System.IO.Path.Combine(directory, System.IO.Path.GetFileNameWithoutExtension(dataFileName) + ".ready");
    }

    /// <summary>Sets the mtime of an existing file (SFTP v3 reports whole seconds).</summary>
    public void SetModified(string fileName, DateTimeOffset modified) =>
        File.SetLastWriteTimeUtc(PathOf(fileName), modified.UtcDateTime);

    /// <summary>Deletes the file; nothing happens if it does not exist.</summary>
    public void Delete(string fileName) => File.Delete(PathOf(fileName));


    /// <inheritdoc />
    public override string ToString() => Path;

    private static string CheckRelative(string fileName)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        if (System.IO.Path.IsPathRooted(fileName) ||
            fileName.Split('/').Any(part => part is ".." or "."))
        {
            throw new ArgumentException($"Expected a relative path inside the export directory: {fileName}", nameof(fileName));
        }
        return fileName;
    }

    private static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            // The test servers are Linux processes; Unix permissions matter to the SFTP user.
            throw new PlatformNotSupportedException("Export directories need Unix file permissions.");
        }
        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, DirectoryPermissions);
        }
        // The umask may have narrowed the mode; the SFTP user must be able to list it.
        File.SetUnixFileMode(path, DirectoryPermissions);
    }
}
