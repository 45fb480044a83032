namespace ResponsysCluster.Domain.Files;

/// <summary>
/// How a file inside a zip archive of several files is named as a file version of its own: the archive's name or
/// path, <c>!</c>, and the entry's name as the archive stores it (<c>/exports/LIST.zip!part2.csv</c>). Such a file
/// has the archive's mtime and size, so that the archive can be found, opened and checked from the name alone.
/// </summary>
public static class ZipEntryName
{
    private const string ArchiveEnd = ".zip!";

    /// <summary>The name or path of <paramref name="entry"/> in the archive named or found at <paramref name="archive"/>.</summary>
    public static string Join(string archive, string entry) => archive + "!" + entry;

    /// <summary>
    /// Splits an entry's name or path at the first <c>.zip!</c> into the archive's and the entry's;
    /// false for the name of a file that is not inside an archive.
    /// </summary>
    public static bool TrySplit(string nameOrPath, out string archive, out string entry)
    {
        var end = nameOrPath.IndexOf(ArchiveEnd, StringComparison.OrdinalIgnoreCase);
        if (end < 0 || end + ArchiveEnd.Length == nameOrPath.Length)
        {
            archive = entry = "";
            return false;
        }
        archive = nameOrPath[..(end + ArchiveEnd.Length - 1)];
        entry = nameOrPath[(end + ArchiveEnd.Length)..];
        return true;
    }

    /// <summary>Whether <paramref name="file"/> is an entry of an archive of several files.</summary>
    public static bool IsEntry(RemoteFile file) => TrySplit(file.Name, out _, out _);

    /// <summary>The file version of <paramref name="entry"/> in <paramref name="archive"/>: the archive's mtime and size.</summary>
    public static RemoteFile EntryOf(RemoteFile archive, string entry) =>
        archive with { Path = Join(archive.Path, entry), Name = Join(archive.Name, entry) };

    /// <summary>The archive <paramref name="entryFile"/> is in, as it was listed; throws for a file that is not an entry.</summary>
    public static RemoteFile ArchiveOf(RemoteFile entryFile, out string entry)
    {
        if (!TrySplit(entryFile.Path, out var archivePath, out entry) || !TrySplit(entryFile.Name, out var archiveName, out _))
            throw new InvalidOperationException($"'{entryFile.Path}' is not a file inside a zip archive");
        return entryFile with { Path = archivePath, Name = archiveName };
    }
}
