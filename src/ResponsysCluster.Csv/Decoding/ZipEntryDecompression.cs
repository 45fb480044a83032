using ICSharpCode.SharpZipLib.Zip;
using ResponsysCluster.Domain.Files;

namespace ResponsysCluster.Csv.Decoding;

/// <summary>
/// Reads the CSV/TXT entry of a zip archive front to back, as the bytes arrive: the central directory at the end
/// is never needed, so a zip streams from SFTP (or out of a decryption) like any file. Entries whose sizes follow
/// their data (written by streaming zippers) are read too. The entry's CRC is checked at its end. An entry of a zip of
/// several files is read from its own bytes alone (<see cref="OpenEntry"/>).
/// </summary>
internal static class ZipEntryDecompression
{
    public static Stream Open(Stream zip, string path)
    {
        var archive = new ZipInputStream(zip) { IsStreamOwner = true };
        var entry = NextFileEntry(archive)
            ?? throw new ExportFileException(path, "the zip archive holds no file");
        if (entry.IsCrypted)
            throw new ExportFileException(path, $"the zip entry {entry.Name} is password-protected; Responsys encrypts with OpenPGP, not zip passwords");
        return new SingleEntryStream(archive, entry.Name, path);
    }

    /// <summary>
    /// Reads the entry whose stored bytes (local header, data, descriptor) are <paramref name="entryBytes"/>: a range
    /// of the archive, so no other entry is transferred. The range is read to its end, which completes its read.
    /// </summary>
    public static Stream OpenEntry(Stream entryBytes, string path, ZipFileEntry entry)
    {
        if (entry.Encrypted)
            throw new ExportFileException(path, $"the zip entry {entry.Name} is password-protected; Responsys encrypts with OpenPGP, not zip passwords");
        var archive = new ZipInputStream(entryBytes) { IsStreamOwner = true };
        if (archive.GetNextEntry() is null)
            throw new ExportFileException(path, $"corrupt or truncated archive: no local header where the central directory puts {entry.Name}");
        return new EntryStream(archive, entryBytes);
    }

    /// <summary>The next entry that is a file (directories are skipped); null at the end of the archive.</summary>
    private static ZipEntry? NextFileEntry(ZipInputStream archive)
    {
        while (archive.GetNextEntry() is { } entry)
            if (entry.IsFile) return entry;
        return null;
    }

    /// <summary>The entry's bytes; at their end, the archive must hold no other file.</summary>
    private sealed class SingleEntryStream(ZipInputStream archive, string entryName, string path) : ReadOnlyDecodingStream
    {
        private bool ended;

        public override int Read(Span<byte> buffer)
        {
            if (ended || buffer.IsEmpty) return 0;
            var read = archive.Read(buffer);
            if (read > 0) return read;
            if (NextFileEntry(archive) is { } another)
                throw new ExportFileException(path, $"the zip archive holds more than one file ({entryName}, {another.Name}, …): an encrypted zip must hold one file, as its entries cannot be listed without decrypting it");
            ended = true;
            return 0;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) archive.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>One entry's bytes; at their end, the rest of its range (its data descriptor) is read too.</summary>
    private sealed class EntryStream(ZipInputStream archive, Stream entryBytes) : ReadOnlyDecodingStream
    {
        private bool ended;

        public override int Read(Span<byte> buffer)
        {
            if (ended || buffer.IsEmpty) return 0;
            var read = archive.Read(buffer);
            if (read > 0) return read;
            entryBytes.CopyTo(Stream.Null);
            ended = true;
            return 0;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) archive.Dispose();
            base.Dispose(disposing);
        }
    }
}
