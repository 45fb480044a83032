using System.Diagnostics;
using Npgsql;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Schema;
using ResponsysCluster.Postgres;

namespace ResponsysCluster.Bench.Loads;

/// <summary>How the target table is indexed for a load: the product's own design, or one of the candidates it was chosen from.</summary>
internal enum TableDesign
{
    /// <summary>What the product creates: no key, a BRIN index on <c>_sdc_source_file</c>.</summary>
    Brin,
    /// <summary>No key and no index: the delete of a re-exported file scans the table.</summary>
    None,
    /// <summary>No key, a b-tree index on <c>_sdc_source_file</c>.</summary>
    Btree,
    /// <summary>The primary key (<c>_sdc_source_file</c>, <c>_sdc_source_lineno</c>) of earlier versions.</summary>
    Pk,
}

/// <summary>What one load of a local file did and took.</summary>
internal sealed record LoadResult(long Rows, int ColumnsWidened, double InferSeconds, double LoadSeconds);

/// <summary>
/// Loads one local export file into PostgreSQL through <see cref="FileVersionLoader"/>, as the engine does after
/// its SFTP read: the columns inferred from the first 1,000 records, the table created and indexed as
/// <see cref="TableDesign"/> says, then the load timed on its own.
/// </summary>
internal static class LoadBenchmark
{
    public static async Task<LoadResult> RunAsync(string connectionString, string path, string connectionId, TableDesign design, CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await ControlTables.EnsureAsync(dataSource, cancellationToken);
        var format = new CsvFormat(',', ExportEncoding.Utf8);
        const string table = "CONTACT_LIST";

        var clock = Stopwatch.StartNew();
        var inference = new TableSchemaInference();
        using (var sample = ExportRecordReader.Open(File.OpenRead(path), path, format))
        {
            var columns = inference.AddHeader(sample.Header);
            while (sample.RecordsRead < 1000 && sample.Read())
                for (var i = 0; i < Math.Min(columns.Count, sample.FieldCount); i++) columns[i].Observe(sample.Field(i));
        }
        var inferred = inference.Columns;
        var inferSeconds = clock.Elapsed.TotalSeconds;

        var schema = "responsys_" + connectionId;
        var tables = new TargetTables(dataSource, connectionId, schema);
        var created = await tables.EnsureAsync(table, inferred, cancellationToken);
        var redesign = design switch
        {
            TableDesign.None => $"DROP INDEX {schema}.contact_list__sdc_source_file_idx",
            TableDesign.Btree => $"DROP INDEX {schema}.contact_list__sdc_source_file_idx; CREATE INDEX ON {created.QualifiedName} (_sdc_source_file)",
            TableDesign.Pk => $"DROP INDEX {schema}.contact_list__sdc_source_file_idx; ALTER TABLE {created.QualifiedName} ADD PRIMARY KEY (_sdc_source_file, _sdc_source_lineno)",
            _ => null,
        };
        if (redesign is not null)
        {
            await using var command = dataSource.CreateCommand(redesign);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var info = new FileInfo(path);
        var version = new FileVersion("/bench/" + info.Name, new DateTimeOffset(info.LastWriteTimeUtc), info.Length);
        var loader = new FileVersionLoader(dataSource, tables, connectionId, format, TimeZoneInfo.Utc);
        clock.Restart();
        var loaded = await loader.LoadAsync(new FileVersionLoad(table, version, null, inferred),
            _ => Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan)),
            cancellationToken);
        return new LoadResult(loaded.RowsLoaded, loaded.ColumnsWidened.Count, inferSeconds, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Nanoseconds one <see cref="DateTime.UtcNow"/> takes: what a per-row batch time cost each row.</summary>
    public static double ClockNanoseconds(int calls)
    {
        var sink = 0L;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++) sink ^= DateTime.UtcNow.Ticks;
        var elapsed = clock.Elapsed.TotalNanoseconds / calls;
        GC.KeepAlive(sink);
        return elapsed;
    }
}
