using System.Text.RegularExpressions;

namespace ResponsysCluster.Domain.Files;

/// <summary>
/// A Responsys Connect data file name: <c>[stamp][-_]TABLE[-_][stamp].csv|txt</c>, stamps optional, extension in
/// any case, optionally compressed (<c>.csv.gz</c>, <c>.txt.gz</c>, <c>.zip</c> or <c>.csv.zip</c>) and then OpenPGP-encrypted
/// (<c>.gpg</c>, <c>.pgp</c>, or ASCII-armoured <c>.asc</c>). The table name is what remains once stamps and
/// extensions are removed; <see cref="Layers"/> says how to decode the file's bytes back to CSV. A file inside a zip
/// of several files (<c>NAME.zip!entry</c>, see <see cref="ZipEntryName"/>) takes the archive's table and layers.
/// </summary>
/// <param name="ZipEntry">The entry of the archive this file is, for a zip of several files; null otherwise.</param>
public sealed partial record ExportFileName(string FileName, string Table, ExportFileLayers Layers, string? ZipEntry = null)
{
    // Date/time stamps Responsys writes, longest first so that "20180911_0911" is not read as "20180911_09".
    // A stamp never borders another digit, so a table ending in a long number keeps it.
    private const string Stamp =
        @"(?:\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}|\d{4}-\d{2}-\d{2}_\d{2}-\d{2}|\d{4}-\d{2}-\d{2}_\d{2}|\d{4}-\d{2}-\d{2}" +
        @"|\d{8}_\d{6}|\d{8}_\d{4}|\d{8}_\d{2}|\d{8})";

    // The extension chain: the CSV/TXT (gzipped or not) or a zip, then optionally an encryption layer.
    private const string Extensions = @"(?<extensions>\.(?:(?:csv|txt)(?<gzip>\.gz)?|(?:(?:csv|txt)\.)?(?<zip>zip))(?:\.(?<pgp>gpg|pgp|asc))?)";

    [GeneratedRegex(@"^(?:" + Stamp + @"(?!\d)[-_]?)?(?<table>.+?)(?:[-_]?(?<!\d)" + Stamp + @")?" + Extensions + @"\z",
        // Singleline and \z: a name holding a newline is a name like any other (reported escaped), never skipped.
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.Singleline)]
    private static partial Regex DataFilePattern();

    /// <summary>Parses a data file name; null for names that are not exports.</summary>
    public static ExportFileName? TryParse(string fileName)
    {
        if (ZipEntryName.TrySplit(fileName, out var archive, out var entry))
            return TryParse(archive) is { Layers.Compression: ExportCompression.Zip } archiveName
                ? archiveName with { FileName = fileName, ZipEntry = entry }
                : null;
        var match = DataFilePattern().Match(fileName);
        if (!match.Success) return null;
        var compression = match.Groups["gzip"].Success ? ExportCompression.Gzip
            : match.Groups["zip"].Success ? ExportCompression.Zip
            : ExportCompression.None;
        var layers = new ExportFileLayers(compression, match.Groups["pgp"].Success);
        return new ExportFileName(fileName, match.Groups["table"].Value, layers);
    }

    /// <summary>
    /// The names of the ready files that mark <paramref name="dataFileName"/> complete: <c>NAME.ready</c> (every
    /// extension removed), then the name cut after each of its extensions, plus <c>.ready</c>: <c>NAME.csv.ready</c>
    /// for <c>NAME.csv</c>; <c>NAME.csv.ready</c> and <c>NAME.csv.gz.ready</c> for <c>NAME.csv.gz</c>;
    /// <c>NAME.zip.ready</c> for <c>NAME.zip</c> (extensions as written). A file inside a zip has its archive's.
    /// </summary>
    public static IEnumerable<string> ReadyFileNamesFor(string dataFileName)
    {
        if (ZipEntryName.TrySplit(dataFileName, out var archive, out _)) dataFileName = archive;
        var match = DataFilePattern().Match(dataFileName);
        if (!match.Success)
        {
            yield return System.IO.Path.GetFileNameWithoutExtension(dataFileName) + ".ready";
            yield return dataFileName + ".ready";
            yield break;
        }
        var extensions = match.Groups["extensions"];
        yield return dataFileName[..extensions.Index] + ".ready";
        for (var end = dataFileName.IndexOf('.', extensions.Index + 1); end > 0; end = dataFileName.IndexOf('.', end + 1))
            yield return dataFileName[..end] + ".ready";
        yield return dataFileName + ".ready";
    }
}

/// <summary>How an export file's bytes are wrapped around its CSV: compressed, then possibly encrypted.</summary>
/// <param name="Compression">The compression under the encryption (or the only layer).</param>
/// <param name="Encrypted">OpenPGP-encrypted (binary or ASCII-armoured): decrypted first.</param>
public sealed record ExportFileLayers(ExportCompression Compression, bool Encrypted)
{
    /// <summary>A plain CSV/TXT file.</summary>
    public static readonly ExportFileLayers Plain = new(ExportCompression.None, false);

    public bool IsPlain => this == Plain;
}

/// <summary>The compression of an export file.</summary>
public enum ExportCompression
{
    None,
    /// <summary><c>.csv.gz</c>, <c>.txt.gz</c>: one gzip stream.</summary>
    Gzip,
    /// <summary><c>.zip</c>: an archive of one or more CSV/TXT entries.</summary>
    Zip,
}
