using System.Diagnostics;
using Npgsql;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Postgres;
using static ResponsysCluster.Engine.Files.FileJobProtocol;

namespace ResponsysCluster.Engine.Files;

/// <summary>
/// Loads one file version: its ready file's count, then the file streamed over SFTP straight into a binary COPY
/// (<see cref="FileVersionLoader"/>): rows never gather in memory and never travel between actors one by one.
/// </summary>
public sealed class FileLoadService(ConnectionConfig config, NpgsqlDataSource dataSource, Func<CancellationToken, Task<IExportDirectory>> connect)
{
    private const int MaxReadyFileBytes = 4096;

    public async Task<object> LoadAsync(LoadFile job, Action<long> rowsCopied, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        try
        {
            await using var directory = await connect(cancellationToken).ConfigureAwait(false);
            var expected = ReadyFileContent.RecordCount(
                await directory.ReadSmallTextAsync(job.ReadyFile, MaxReadyFileBytes, cancellationToken).ConfigureAwait(false));
            var tables = new TargetTables(dataSource, config.ConnectionId, config.TargetSchema);
            var loader = new FileVersionLoader(dataSource, tables, config.ConnectionId, CsvFormat.Of(config), config.TimeZone);
            var loaded = await loader.LoadAsync(new FileVersionLoad(job.Table, job.File.Version, expected, job.InferredColumns),
                ct => directory.OpenReadAsync(job.File, ct), cancellationToken, rowsCopied).ConfigureAwait(false);
            return new FileJobSucceeded(job, loaded.AlreadyLoaded, loaded.RowsLoaded, loaded.RowsReplaced, loaded.ColumnsWidened, started.Elapsed,
                loaded.RecordCount);
        }
        catch (ExportFileException ex)
        {
            return new FileJobFailed(job, ex.Message, started.Elapsed);
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or Sftp.SftpAccessException or TimeoutException)
        {
            return new FileJobFailed(job, $"{job.File.Path}: {ex.Message}", started.Elapsed);
        }
    }
}
