using System.Text;
using Npgsql;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.TestServers;
using static ResponsysCluster.Postgres.Tests.TestFiles;

namespace ResponsysCluster.Postgres.Tests;

/// <summary>
/// A NUL in a field fails the file in the loader, with the file, line, record, column and byte offset, before
/// PostgreSQL refuses it with "invalid byte sequence for encoding UTF8: 0x00" and none of them; nothing of the
/// file is kept.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class NulCharacterLoadTests(PostgresServer server) : IAsyncLifetime
{
    private readonly string schema = "t_" + Guid.NewGuid().ToString("N")[..12];
    private NpgsqlDataSource dataSource = null!;

    public async Task InitializeAsync()
    {
        dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        await ControlTables.EnsureAsync(dataSource, CancellationToken.None);
    }

    public async Task DisposeAsync() => await dataSource.DisposeAsync();

    [Fact(Timeout = 60_000)]
    public async Task Should_fail_a_file_with_a_nul_in_a_field_naming_line_record_column_and_byte_offset_and_load_nothing()
    {
        // 1,500 good rows (with multi-byte text) go into the COPY before the NUL arrives.
        var csv = new StringBuilder("RIID_,EMAIL_ADDRESS_,CITY_\n");
        for (var i = 1; i <= 1500; i++) csv.Append(i).Append(",user").Append(i).Append("@example.com,Zürich\n");
        var offset = Encoding.UTF8.GetByteCount(csv.ToString()) + "1501,user1501@exam".Length;
        csv.Append("1501,user1501@exam\0ple.com,Köln\n1502,last@example.com,Bonn\n");
        var text = csv.ToString();
        var loader = new FileVersionLoader(dataSource, new TargetTables(dataSource, schema, schema), schema,
            new CsvFormat(',', ExportEncoding.Utf8), TimeZoneInfo.Utc);

        var error = await Assert.ThrowsAsync<ExportFileException>(() =>
            loader.LoadAsync(Load("CONTACT_LIST", "/x/20180911_CONTACT_LIST.csv", text, T), Content(text), CancellationToken.None));

        Assert.Equal("/x/20180911_CONTACT_LIST.csv", error.FilePath);
        Assert.Equal(1502, error.Line);
        Assert.Equal(1502, error.Record);
        Assert.Contains($"column 2 ('EMAIL_ADDRESS_') on line 1502, at byte offset {offset} of the file", error.Reason);
        Assert.Equal(0, Encoding.UTF8.GetBytes(text)[offset]);
        var rows = await Sql.RowsAsync(dataSource, $"SELECT count(*) FROM {schema}.contact_list");
        Assert.Equal(0L, rows[0][0]);
        var ledger = await Sql.RowsAsync(dataSource, $"SELECT count(*) FROM responsys_cluster.file_ledger WHERE connection_id = '{schema}'");
        Assert.Equal(0L, ledger[0][0]);
    }
}
