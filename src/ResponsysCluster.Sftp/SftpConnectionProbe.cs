using Microsoft.Extensions.Logging;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Ports;

namespace ResponsysCluster.Sftp;

/// <summary>What a connection test found: the server's host key, the tables its directory holds, or why it failed.</summary>
public sealed record ConnectionProbeResult(
    bool Ok,
    string? HostKeyFingerprint,
    IReadOnlyList<string> Tables,
    IReadOnlyList<string> TablesWithoutReadyFiles,
    int Files,
    string? Error);

/// <summary>
/// Tests a connection as an operator would before saving it: reach the server, log in, list the directory. One
/// attempt only (no retries of a refused port), so that the answer comes in seconds, and nothing is read but the listing.
/// </summary>
public static class SftpConnectionProbe
{
    public static async Task<ConnectionProbeResult> ProbeAsync(ConnectionConfig config, ILogger logger, CancellationToken cancellationToken)
    {
        var connector = new SftpConnector(config, logger, ConnectRetryPolicy.None);
        try
        {
            await using var directory = await connector.ConnectAsync(cancellationToken).ConfigureAwait(false);
            var files = await directory.ListAsync(cancellationToken).ConfigureAwait(false);
            var listing = ExportListing.From(files);
            return new ConnectionProbeResult(true, connector.PresentedHostKey, listing.Tables, listing.TablesWithoutReadyFiles, files.Count, null);
        }
        catch (Exception ex) when (ex is ConfigException or ExportDirectoryUnavailableException)
        {
            return new ConnectionProbeResult(false, connector.PresentedHostKey, [], [], 0, ex.Message);
        }
    }
}
