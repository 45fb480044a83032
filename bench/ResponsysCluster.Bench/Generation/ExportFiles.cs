using System.Globalization;

namespace ResponsysCluster.Bench.Generation;

/// <summary>A data file written by the generator.</summary>
internal sealed record GeneratedFile(string Path, long Rows, long Bytes);

/// <summary>Writes export files and the ready files that mark them complete.</summary>
internal static class ExportFiles
{
    /// <summary>
    /// Writes a contact list export: <paramref name="rows"/> rows, or rows until the file holds
    /// <paramref name="targetBytes"/> bytes, starting at row <paramref name="firstRow"/>.
    /// </summary>
    public static GeneratedFile WriteContactList(
        string path, long? rows, long? targetBytes, ulong seed, long firstRow = 0, int longNotesBytes = 0)
    {
        if (rows is null == targetBytes is null) throw new InvalidOperationException("Give either a row count or a target size.");
        CreateParent(path);
        var export = new ContactListExport(seed, longNotesBytes);
        long written = 0;
        long bytes;
        using (var output = CsvOutput.Create(path))
        {
            export.WriteHeader(output);
            if (rows is { } count)
            {
                for (; written < count; written++) export.WriteRow(output, firstRow + written);
            }
            else
            {
                while (output.Length < targetBytes) export.WriteRow(output, firstRow + written++);
            }
            bytes = output.Length;
        }
        return new GeneratedFile(path, written, bytes);
    }

    /// <summary>
    /// Writes <paramref name="files"/> contact list exports of <paramref name="rows"/> rows each, as one table's
    /// daily drops: the first at <paramref name="path"/>, whose name starts with a <c>yyyyMMdd</c> stamp, each next
    /// one a day later (<c>20181001_CONTACT_LIST.csv</c>, <c>20181002_CONTACT_LIST.csv</c>, …), written in that
    /// order. File <c>i</c> holds rows <c>i × rows</c> onwards, so no two files share a profile.
    /// </summary>
    public static IReadOnlyList<GeneratedFile> WriteContactLists(string path, int files, long rows, ulong seed, int longNotesBytes = 0)
    {
        var directory = System.IO.Path.GetDirectoryName(path) ?? "";
        var name = System.IO.Path.GetFileName(path);
        if (name.Length < 8 || !DateTime.TryParseExact(name[..8], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first))
            throw new InvalidOperationException($"With several files the name must start with a yyyyMMdd stamp: {name}");
        var written = new List<GeneratedFile>(files);
        for (var i = 0; i < files; i++)
        {
            var stamped = first.AddDays(i).ToString("yyyyMMdd", CultureInfo.InvariantCulture) + name[8..];
            written.Add(WriteContactList(System.IO.Path.Combine(directory, stamped), rows, null, seed, i * rows, longNotesBytes));
        }
        return written;
    }

    public static GeneratedFile WriteEventFeed(string directory, EventFeedExport feed, long events, long profiles)
    {
        var path = System.IO.Path.Combine(directory, feed.FileName);
        long bytes;
        using (var output = CsvOutput.Create(path))
        {
            feed.WriteHeader(output);
            for (long i = 0; i < events; i++) feed.WriteRow(output, i, profiles);
            bytes = output.Length;
        }
        return new GeneratedFile(path, events, bytes);
    }

    /// <summary>Writes <c>NAME.ready</c> next to <c>NAME.csv</c>, holding the record count as Responsys can.</summary>
    public static string WriteReadyFile(GeneratedFile file)
    {
        var ready = System.IO.Path.ChangeExtension(file.Path, ".ready");
        File.WriteAllText(ready, file.Rows.ToString(CultureInfo.InvariantCulture));
        return ready;
    }

    private static void CreateParent(string path)
    {
        var parent = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (parent is not null) Directory.CreateDirectory(parent);
    }
}
