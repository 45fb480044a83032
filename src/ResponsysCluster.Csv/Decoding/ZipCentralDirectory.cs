using System.Buffers.Binary;
using System.Text;
using ResponsysCluster.Domain.Files;

namespace ResponsysCluster.Csv.Decoding;

/// <summary>
/// The files of a zip archive, from its central directory at the end of the file. Only the tail is read (the end
/// record, at most <see cref="MaxTailBytes"/> bytes, and the directory it points at), never the entries' data, so
/// a zip is listed without being downloaded. A directory that does not add up is an <see cref="ExportFileException"/>
/// naming the archive.
/// </summary>
/// <param name="Files">The file entries (not directories), in the order of their data in the archive.</param>
public sealed record ZipCentralDirectory(IReadOnlyList<ZipFileEntry> Files)
{
    /// <summary>The end record (22 bytes), its longest comment, and the zip64 locator in front of it.</summary>
    public const int MaxTailBytes = EndRecordBytes + ushort.MaxValue + Zip64LocatorBytes;

    /// <summary>A central directory larger than this is refused: it is held in memory while it is read.</summary>
    public const long MaxDirectoryBytes = 64L * 1024 * 1024;

    private const int EndRecordBytes = 22;
    private const int Zip64LocatorBytes = 20;
    private const int Zip64EndRecordBytes = 56;
    private const int EntryHeaderBytes = 46;
    private const uint EndSignature = 0x06054b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const uint Zip64EndSignature = 0x06064b50;
    private const uint EntrySignature = 0x02014b50;

    /// <summary>Reads the central directory of <paramref name="zip"/>'s stored bytes in <paramref name="directory"/>.</summary>
    public static async Task<ZipCentralDirectory> ReadAsync(IExportDirectory directory, RemoteFile zip, CancellationToken cancellationToken)
    {
        var tailStart = zip.Size - Math.Min(zip.Size, MaxTailBytes);
        var tail = await ReadRangeAsync(directory, zip, tailStart, zip.Size - tailStart, cancellationToken).ConfigureAwait(false);
        var end = FindEnd(tail, tailStart, zip.Path);
        if (end.Zip64EndOffset is { } zip64Offset)
        {
            var record = zip64Offset >= tailStart
                ? tail.AsSpan((int)(zip64Offset - tailStart)).ToArray()
                : await ReadRangeAsync(directory, zip, zip64Offset, Zip64EndRecordBytes, cancellationToken).ConfigureAwait(false);
            end = ReadZip64End(record, end, zip.Path);
        }
        if (end.Size > MaxDirectoryBytes)
            throw Corrupt(zip.Path, $"its central directory takes {end.Size} bytes, more than the {MaxDirectoryBytes} read");
        var entries = end.Offset >= tailStart
            ? tail.AsSpan((int)(end.Offset - tailStart), (int)end.Size).ToArray()
            : await ReadRangeAsync(directory, zip, end.Offset, end.Size, cancellationToken).ConfigureAwait(false);
        return Parse(entries, end, zip.Path);
    }

    /// <summary>
    /// Where the central directory is, from the end record at the end of <paramref name="tail"/> (the file's bytes
    /// from <paramref name="tailStart"/> to its end), searched from the end past a comment.
    /// </summary>
    internal static ArchiveEnd FindEnd(ReadOnlySpan<byte> tail, long tailStart, string path)
    {
        for (var at = tail.Length - EndRecordBytes; at >= 0; at--)
        {
            if (UInt32(tail, at) != EndSignature || at + EndRecordBytes + UInt16(tail, at + 20) != tail.Length) continue;
            var disk = UInt16(tail, at + 4);
            var directoryDisk = UInt16(tail, at + 6);
            if (disk != 0 && disk != ushort.MaxValue || directoryDisk != 0 && directoryDisk != ushort.MaxValue)
                throw Corrupt(path, "it spans several disks");
            var end = new ArchiveEnd(UInt32(tail, at + 16), UInt32(tail, at + 12), UInt16(tail, at + 10), tailStart + at, null);
            var locator = at - Zip64LocatorBytes;
            if (locator >= 0 && UInt32(tail, locator) == Zip64LocatorSignature)
            {
                var zip64End = (long)UInt64(tail, locator + 8);
                if (zip64End > tailStart + locator - Zip64EndRecordBytes)
                    throw Corrupt(path, "its zip64 end of central directory record is not where the locator says");
                return end with { Zip64EndOffset = zip64End };
            }
            return Checked(end, path);
        }
        throw Corrupt(path, "no end of central directory record at the end of the file (truncated, or not a zip)");
    }

    /// <summary>The directory's place and size from the zip64 end record, which holds them when they outgrow 32 bits.</summary>
    internal static ArchiveEnd ReadZip64End(ReadOnlySpan<byte> record, ArchiveEnd end, string path)
    {
        if (record.Length < Zip64EndRecordBytes || UInt32(record, 0) != Zip64EndSignature)
            throw Corrupt(path, "its zip64 end of central directory record is missing");
        return Checked(end with
        {
            Offset = (long)UInt64(record, 48), Size = (long)UInt64(record, 40), Count = (long)UInt64(record, 32), EndOffset = end.Zip64EndOffset!.Value,
        }, path);
    }

    private static ArchiveEnd Checked(ArchiveEnd end, string path) =>
        end.Offset < 0 || end.Size < 0 || end.Count < 0 || end.Offset > end.EndOffset - end.Size || end.Count > end.Size / EntryHeaderBytes
            ? throw Corrupt(path, $"its central directory ({end.Count} entries, {end.Size} bytes at {end.Offset}) does not fit in the file")
            : end;

    /// <summary>The file entries of the central directory <paramref name="entries"/> that <paramref name="end"/> describes.</summary>
    internal static ZipCentralDirectory Parse(ReadOnlySpan<byte> entries, ArchiveEnd end, string path)
    {
        var found = new List<(string Name, long Offset, bool Encrypted)>();
        var at = 0;
        for (var i = 0; i < end.Count; i++)
        {
            if (at > entries.Length - EntryHeaderBytes || UInt32(entries, at) != EntrySignature)
                throw Corrupt(path, $"its central directory entry {i + 1} of {end.Count} is damaged");
            var flags = UInt16(entries, at + 8);
            var nameLength = UInt16(entries, at + 28);
            var extraLength = UInt16(entries, at + 30);
            var commentLength = UInt16(entries, at + 32);
            var next = at + EntryHeaderBytes + nameLength + extraLength + commentLength;
            if (next > entries.Length) throw Corrupt(path, $"its central directory entry {i + 1} of {end.Count} runs past the directory");
            var nameBytes = entries.Slice(at + EntryHeaderBytes, nameLength);
            // Bit 11: the name is UTF-8; otherwise it is an old code page, read byte for byte (a stable name either way).
            var name = (flags & 0x800) != 0 ? Encoding.UTF8.GetString(nameBytes) : Encoding.Latin1.GetString(nameBytes);
            long offset = UInt32(entries, at + 42);
            if (offset == uint.MaxValue)
                offset = Zip64Offset(entries.Slice(at + EntryHeaderBytes + nameLength, extraLength),
                    UInt32(entries, at + 24) == uint.MaxValue, UInt32(entries, at + 20) == uint.MaxValue) ?? -1;
            if (offset < 0 || offset >= end.Offset) throw Corrupt(path, $"its entry {name} starts outside the archive's data");
            found.Add((name, offset, (flags & 1) != 0));
            at = next;
        }

        var byOffset = found.OrderBy(e => e.Offset).ToList();
        var files = new List<ZipFileEntry>();
        for (var i = 0; i < byOffset.Count; i++)
        {
            var (name, offset, encrypted) = byOffset[i];
            var spanEnd = i + 1 < byOffset.Count ? byOffset[i + 1].Offset : end.Offset;
            if (!name.EndsWith('/') && name.Length > 0) files.Add(new ZipFileEntry(name, offset, spanEnd - offset, encrypted));
        }
        return new ZipCentralDirectory(files);
    }

    /// <summary>The local header offset in an entry's zip64 extra field, after the sizes that overflowed.</summary>
    private static long? Zip64Offset(ReadOnlySpan<byte> extra, bool sizeOverflowed, bool compressedSizeOverflowed)
    {
        for (var at = 0; at <= extra.Length - 4;)
        {
            var id = UInt16(extra, at);
            var length = UInt16(extra, at + 2);
            if (id == 1)
            {
                var field = at + 4 + (sizeOverflowed ? 8 : 0) + (compressedSizeOverflowed ? 8 : 0);
                return field + 8 <= at + 4 + length && field + 8 <= extra.Length ? (long)UInt64(extra, field) : null;
            }
            at += 4 + length;
        }
        return null;
    }

    private static async Task<byte[]> ReadRangeAsync(IExportDirectory directory, RemoteFile zip, long offset, long length, CancellationToken cancellationToken)
    {
        var bytes = new byte[length];
        var stream = await directory.OpenRangeAsync(zip, offset, length, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
            }
            catch (EndOfStreamException ex)
            {
                throw new ExportFileException(zip.Path, $"the file is shorter than it was listed: {ex.Message}", inner: ex);
            }
        }
        return bytes;
    }

    private static ExportFileException Corrupt(string path, string reason) => new(path, $"corrupt or truncated archive: {reason}");

    private static ushort UInt16(ReadOnlySpan<byte> bytes, int at) => BinaryPrimitives.ReadUInt16LittleEndian(bytes[at..]);

    private static uint UInt32(ReadOnlySpan<byte> bytes, int at) => BinaryPrimitives.ReadUInt32LittleEndian(bytes[at..]);

    private static ulong UInt64(ReadOnlySpan<byte> bytes, int at) => BinaryPrimitives.ReadUInt64LittleEndian(bytes[at..]);
}

/// <summary>One file of a zip archive.</summary>
/// <param name="Name">The entry's name as the archive stores it.</param>
/// <param name="Offset">Where its local header starts.</param>
/// <param name="Length">Its local header, data and data descriptor: up to the next entry or the central directory.</param>
/// <param name="Encrypted">Password-protected (zip encryption, which Responsys does not use).</param>
public sealed record ZipFileEntry(string Name, long Offset, long Length, bool Encrypted);

/// <summary>What the end of a zip says about its central directory.</summary>
/// <param name="Offset">Where the central directory starts.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="Count">How many entries it holds.</param>
/// <param name="EndOffset">Where the records after it start: the directory must end before.</param>
/// <param name="Zip64EndOffset">Where the zip64 end record is, when the archive has one.</param>
internal sealed record ArchiveEnd(long Offset, long Size, long Count, long EndOffset, long? Zip64EndOffset);
