using System.Text.RegularExpressions;

namespace ResponsysCluster.Domain.Files;

/// <summary>
/// A Responsys Connect data file name: <c>[stamp][-_]TABLE[-_][stamp].csv|txt</c>, stamps optional,
/// extension in any case. The table name is what remains once stamps and extension are removed.
/// </summary>
public sealed partial record ExportFileName(string FileName, string Table)
{
    // Date/time stamps Responsys writes, longest first so that "20180911_0911" is not read as "20180911_09".
    // A stamp never borders another digit, so a table ending in a long number keeps it.
    private const string Stamp =
        @"(?:\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}|\d{4}-\d{2}-\d{2}_\d{2}-\d{2}|\d{4}-\d{2}-\d{2}_\d{2}|\d{4}-\d{2}-\d{2}" +
        @"|\d{8}_\d{6}|\d{8}_\d{4}|\d{8}_\d{2}|\d{8})";

    [GeneratedRegex(@"^(?:" + Stamp + @"(?!\d)[-_]?)?(?<table>.+?)(?:[-_]?(?<!\d)" + Stamp + @")?\.(?:csv|txt)\z",
        // Singleline and \z: a name holding a newline is a name like any other (reported escaped), never skipped.
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.Singleline)]
    private static partial Regex DataFilePattern();

    /// <summary>Parses a data file name; null for names that are not <c>.csv</c>/<c>.txt</c> exports.</summary>
    public static ExportFileName? TryParse(string fileName)
    {
        var match = DataFilePattern().Match(fileName);
        return match.Success ? new ExportFileName(fileName, match.Groups["table"].Value) : null;
    }

    /// <summary>
    /// The names of the ready files that mark <paramref name="dataFileName"/> complete:
    /// <c>NAME.ready</c> and <c>NAME.csv.ready</c> (the extension as written).
    /// </summary>
    public static IEnumerable<string> ReadyFileNamesFor(string dataFileName)
    {
        yield return System.IO.Path.GetFileNameWithoutExtension(dataFileName) + ".ready";
        yield return dataFileName + ".ready";
    }
}
