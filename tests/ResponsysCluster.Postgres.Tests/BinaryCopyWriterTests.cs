using System.Globalization;
using Npgsql;
using ResponsysCluster.Postgres.Copy;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Postgres.Tests;

/// <summary>
/// The binary COPY encoding, checked by the server itself: each value written in binary must equal PostgreSQL's own
/// parse of the same value as text.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BinaryCopyWriterTests(PostgresServer server) : IAsyncLifetime
{
    private readonly string table = "bcw_" + Guid.NewGuid().ToString("N")[..12];
    private NpgsqlDataSource dataSource = null!;

    public async Task InitializeAsync()
    {
        dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        await using var create = dataSource.CreateCommand(
            $"CREATE TABLE public.{table} (id bigint, n numeric, t timestamptz, s text, j jsonb, expected text)");
        await create.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        await using var drop = dataSource.CreateCommand($"DROP TABLE IF EXISTS public.{table}");
        await drop.ExecuteNonQueryAsync();
        await dataSource.DisposeAsync();
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0.00")]
    [InlineData("-0.5")]
    [InlineData("1")]
    [InlineData("9999")]
    [InlineData("10000")]
    [InlineData("10000.0001")]
    [InlineData("12345.6789")]
    [InlineData("0.0001")]
    [InlineData("0.00010")]
    [InlineData("0.00000001")]
    // Leading zero groups dropped, and a zero group between two digit groups kept within the scale.
    [InlineData("0.00000000123400000000")]
    [InlineData("100000000")]
    [InlineData("-123456789012345678.90")]
    [InlineData("0.0000000000000000000000000001")]
    [InlineData("79228162514264337593543950335")]
    [InlineData("-79228162514264337593543950335")]
    [InlineData("7.9228162514264337593543950335")]
    public async Task Should_write_a_numeric_that_PostgreSQL_reads_as_its_text(string text)
    {
        var value = decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

        await CopyOneRowAsync(copy =>
        {
            copy.StartRow(6);
            copy.WriteBigint(1);
            copy.WriteNumeric(value);
            copy.WriteNull();
            copy.WriteNull();
            copy.WriteNull();
            copy.WriteText(text);
        });

        var row = await SingleRowAsync("n = expected::numeric", "n::text");
        Assert.Equal(true, row[0]);
        Assert.Equal(text, row[1]);
    }

    [Theory]
    [InlineData("2000-01-01 00:00:00")]
    [InlineData("1999-12-31 23:59:59.999999")]
    [InlineData("2018-09-11 09:11:02.123456")]
    [InlineData("1970-01-01 00:00:00")]
    [InlineData("1900-03-01 12:00:00")]
    [InlineData("0001-01-01 00:00:00")]
    [InlineData("9999-12-31 23:59:59.999999")]
    public async Task Should_write_a_timestamptz_that_PostgreSQL_reads_as_the_same_instant(string utcText)
    {
        var utc = DateTime.SpecifyKind(DateTime.ParseExact(utcText, ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFF"], CultureInfo.InvariantCulture),
            DateTimeKind.Utc);

        await CopyOneRowAsync(copy =>
        {
            copy.StartRow(6);
            copy.WriteBigint(1);
            copy.WriteNull();
            copy.WriteTimestampTz(utc);
            copy.WriteNull();
            copy.WriteNull();
            copy.WriteText(utcText + "+00");
        });

        var row = await SingleRowAsync("t = expected::timestamptz", "isfinite(t)");
        Assert.Equal(true, row[0]);
        Assert.Equal(true, row[1]);
    }

    [Fact]
    public async Task Should_drop_the_ticks_below_a_microsecond()
    {
        var utc = new DateTime(2018, 9, 11, 9, 11, 2, DateTimeKind.Utc).AddTicks(1_234_567);

        await CopyOneRowAsync(copy =>
        {
            copy.StartRow(6);
            copy.WriteBigint(1);
            copy.WriteNull();
            copy.WriteTimestampTz(utc);
            copy.WriteNull();
            copy.WriteNull();
            copy.WriteText("2018-09-11 09:11:02.123456+00");
        });

        Assert.Equal(true, (await SingleRowAsync("t = expected::timestamptz"))[0]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("Müller, \"Zoë\" 東京 🎉")]
    [InlineData("line one\nline two")]
    public async Task Should_write_text_as_its_UTF8_bytes(string text)
    {
        await CopyOneRowAsync(copy =>
        {
            copy.StartRow(6);
            copy.WriteBigint(1);
            copy.WriteNull();
            copy.WriteNull();
            copy.WriteText(text);
            copy.WriteNull();
            copy.WriteText(text);
        });

        var row = await SingleRowAsync("s = expected", "s IS NULL", "octet_length(s)");
        Assert.Equal(true, row[0]);
        Assert.Equal(false, row[1]);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(text), row[2]);
    }

    [Fact]
    public async Task Should_write_jsonb_that_PostgreSQL_reads_as_its_text()
    {
        const string json = """["extra, one","Zoë",""]""";

        await CopyOneRowAsync(copy =>
        {
            copy.StartRow(6);
            copy.WriteBigint(1);
            copy.WriteNull();
            copy.WriteNull();
            copy.WriteNull();
            copy.WriteJsonb(json);
            copy.WriteText(json);
        });

        Assert.Equal(true, (await SingleRowAsync("j = expected::jsonb"))[0]);
    }

    [Fact]
    public async Task Should_send_rows_larger_than_its_buffer_and_many_rows_whole()
    {
        var big = new string('x', 300_000) + "é";
        const int rows = 20_000;

        var written = await CopyAsync(async copy =>
        {
            for (var i = 1; i <= rows; i++)
            {
                copy.StartRow(6);
                copy.WriteBigint(i);
                copy.WriteNull();
                copy.WriteNull();
                copy.WriteText(i == rows / 2 ? big : "row " + i);
                copy.WriteNull();
                copy.WriteNull();
                await copy.EndRowAsync(CancellationToken.None);
            }
        });

        Assert.Equal(rows, written);
        var row = await SingleRowAsync("true", "count(*)", "count(DISTINCT id)", "sum(octet_length(s)) FILTER (WHERE id = 10000)",
            "count(*) FILTER (WHERE s = 'row ' || id)");
        Assert.Equal((long)rows, row[1]);
        Assert.Equal((long)rows, row[2]);
        Assert.Equal(300_002L, row[3]);
        Assert.Equal((long)rows - 1, row[4]);
    }

    [Fact]
    public async Task Should_send_in_chunks_of_at_most_56_KiB_and_give_back_a_buffer_grown_for_a_huge_row()
    {
        var row = new string('r', 1000);
        var huge = new string('h', 2 * 1024 * 1024);
        var bufferedAfterEachRow = new List<int>();
        var (grownTo, sizeAfterTheHugeRow) = (0, 0);

        await CopyAsync(async copy =>
        {
            for (var i = 1; i <= 200; i++)
            {
                copy.StartRow(6);
                copy.WriteBigint(i);
                copy.WriteNull();
                copy.WriteNull();
                copy.WriteText(i == 150 ? huge : row);
                copy.WriteNull();
                copy.WriteNull();
                if (i == 150) grownTo = copy.BufferSize;
                await copy.EndRowAsync(CancellationToken.None);
                if (i == 150) sizeAfterTheHugeRow = copy.BufferSize;
                bufferedAfterEachRow.Add(copy.BufferedBytes);
            }
        });

        // Rows are kept until about 56 KiB are buffered, then sent together: never row by row, never all at the end.
        Assert.True(bufferedAfterEachRow[0] > 1000, $"the first row was sent alone ({bufferedAfterEachRow[0]} bytes kept)");
        Assert.InRange(bufferedAfterEachRow.Max(), 55 * 1024, 56 * 1024 - 1);
        // Rows of 1,034 bytes: sent after rows 56 and 112 (the first chunk carries the 19-byte file header), and after the huge row.
        Assert.Equal([56, 112, 150], bufferedAfterEachRow.Select((b, i) => (b, i + 1)).Where(x => x.b == 0).Select(x => x.Item2));
        Assert.True(grownTo > huge.Length, $"the buffer did not grow for the huge row ({grownTo} bytes)");
        Assert.Equal(64 * 1024, sizeAfterTheHugeRow);
        Assert.Equal(200L, await Sql.ScalarAsync(dataSource, $"SELECT count(*) FROM public.{table}"));
    }

    [Fact]
    public async Task Should_leave_no_row_when_disposed_before_completing()
    {
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await using var copy = await BinaryCopyWriter.BeginAsync(connection, CopyCommand, CancellationToken.None);
            copy.StartRow(6);
            copy.WriteBigint(1);
            for (var i = 0; i < 5; i++) copy.WriteNull();
            await copy.EndRowAsync(CancellationToken.None);
        }

        Assert.Equal(0L, await Sql.ScalarAsync(dataSource, $"SELECT count(*) FROM public.{table}"));
    }

    private string CopyCommand => $"COPY public.{table} (id, n, t, s, j, expected) FROM STDIN (FORMAT BINARY)";

    private async Task<long> CopyAsync(Func<BinaryCopyWriter, Task> writeRows)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var copy = await BinaryCopyWriter.BeginAsync(connection, CopyCommand, CancellationToken.None);
        await writeRows(copy);
        return await copy.CompleteAsync(CancellationToken.None);
    }

    private Task<long> CopyOneRowAsync(Action<BinaryCopyWriter> writeRow) => CopyAsync(async copy =>
    {
        writeRow(copy);
        await copy.EndRowAsync(CancellationToken.None);
    });

    private async Task<object?[]> SingleRowAsync(params string[] expressions) =>
        (await Sql.RowsAsync(dataSource, $"SELECT {string.Join(", ", expressions)} FROM public.{table}")).Single();
}
