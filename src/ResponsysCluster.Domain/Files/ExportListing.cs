namespace ResponsysCluster.Domain.Files;

/// <summary>
/// The export directory's files grouped into tables. A table's files are exactly those whose name, stamps and
/// extension removed, equals the table name; a table exists only when one of its files has a ready file.
/// </summary>
public sealed class ExportListing
{
    private readonly Dictionary<string, List<DataFile>> filesByTable;

    private ExportListing(Dictionary<string, List<DataFile>> filesByTable, IReadOnlyList<RemoteFile> emptyDataFiles)
    {
        this.filesByTable = filesByTable;
        EmptyDataFiles = emptyDataFiles;
        Tables = filesByTable.Where(t => t.Value.Any(f => f.IsReady)).Select(t => t.Key).Order(StringComparer.Ordinal).ToList();
        TablesWithoutReadyFiles = filesByTable.Keys.Except(Tables).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Tables that have at least one data file with a ready file, sorted by name.</summary>
    public IReadOnlyList<string> Tables { get; }

    /// <summary>Names that look like tables but have no ready file yet.</summary>
    public IReadOnlyList<string> TablesWithoutReadyFiles { get; }

    /// <summary>
    /// Data files of size 0: they hold no header. They are listed with their table too, so that a ready file's
    /// record count above 0 fails them (the export lost its content) and an empty one has them skipped, said so.
    /// </summary>
    public IReadOnlyList<RemoteFile> EmptyDataFiles { get; }

    public static ExportListing From(IEnumerable<RemoteFile> files)
    {
        var all = files.ToList();
        var byName = all.ToDictionary(f => f.Name, StringComparer.Ordinal);
        var tables = new Dictionary<string, List<DataFile>>(StringComparer.Ordinal);
        var empty = new List<RemoteFile>();

        foreach (var file in all)
        {
            var name = ExportFileName.TryParse(file.Name);
            if (name is null) continue;
            if (file.Size == 0) empty.Add(file);

            var ready = ExportFileName.ReadyFileNamesFor(file.Name)
                .Select(n => byName.GetValueOrDefault(n))
                .FirstOrDefault(r => r is not null);
            if (!tables.TryGetValue(name.Table, out var list)) tables[name.Table] = list = [];
            list.Add(new DataFile(file, name.Table, ready));
        }

        foreach (var list in tables.Values)
            list.Sort(static (a, b) => CompareByModifiedThenPath(a.File, b.File));
        return new ExportListing(tables, empty);
    }

    /// <summary>The table's data files, oldest mtime first, ties by path.</summary>
    public IReadOnlyList<DataFile> FilesOf(string table) =>
        filesByTable.TryGetValue(table, out var files) ? files : [];

    public static int CompareByModifiedThenPath(RemoteFile a, RemoteFile b)
    {
        var byTime = a.Modified.CompareTo(b.Modified);
        return byTime != 0 ? byTime : string.CompareOrdinal(a.Path, b.Path);
    }
}
