using System.Globalization;
using System.Text;
using ResponsysCluster.Domain;

namespace ResponsysCluster.Engine.Runs;

/// <summary>What one run did to one table.</summary>
public sealed record TableLoadReport(
    string Table, int FilesLoaded, int FilesAlreadyLoaded, int FilesFailed, int FilesWaiting, int FilesAbandoned,
    long RowsLoaded, long RowsReplaced, long Bytes, TimeSpan Duration, IReadOnlyList<string> Errors) : IEngineMessage;

/// <summary>The loading report of one run of one connection.</summary>
/// <param name="FailedToConnect">The run stopped before any table: the SFTP server could not be reached, logged into
/// or listed (a configuration or connection problem, not a file's).</param>
public sealed record RunReport(string ConnectionId, Guid RunId, DateTimeOffset StartedAt, TimeSpan Duration,
    IReadOnlyList<TableLoadReport> Tables, IReadOnlyList<string> Errors, bool FailedToConnect = false, bool LockHeld = false) : IEngineMessage
{
    public bool HasFailures => Errors.Count > 0 || Tables.Any(t => t.FilesFailed > 0);

    public string Format()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Run {RunId} of connection {ConnectionId}: {Duration.TotalSeconds:F1} s");
        text.AppendLine("table                          files  skipped  failed  waiting  abandoned        rows    replaced        bytes   seconds");
        foreach (var t in Tables)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{PrintableText.Escape(t.Table),-30} {t.FilesLoaded,5} {t.FilesAlreadyLoaded,8} {t.FilesFailed,7} {t.FilesWaiting,8} {t.FilesAbandoned,10} {t.RowsLoaded,11} {t.RowsReplaced,11} {t.Bytes,12} {t.Duration.TotalSeconds,9:F1}");
        }
        foreach (var error in Errors.Concat(Tables.SelectMany(t => t.Errors))) text.AppendLine("error: " + PrintableText.Escape(error));
        return text.ToString();
    }
}
