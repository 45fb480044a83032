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
    public static GeneratedFile WriteContactList(string path, long? rows, long? targetBytes, ulong seed, long firstRow = 0)
    {
        if (rows is null == targetBytes is null) throw new InvalidOperationException("Give either a row count or a target size.");
        CreateParent(path);
        var export = new ContactListExport(seed);
        long written = 0;
        long bytes;
        using (var output = CsvOutput.Create(path))
        {
            ContactListExport.WriteHeader(output);
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
