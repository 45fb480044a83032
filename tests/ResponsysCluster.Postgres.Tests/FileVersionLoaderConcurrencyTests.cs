using ResponsysCluster.Domain.Files;
using System.Text;
using Npgsql;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Schema;
using ResponsysCluster.TestServers;
using static ResponsysCluster.Postgres.Tests.TestFiles;

namespace ResponsysCluster.Postgres.Tests;

/// <summary>
/// Files of one table loading at the same time: their COPYs overlap, and a column added or widened by one of them
/// neither deadlocks nor is lost. A gated file holds its loader in the middle of its COPY, transaction open.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class FileVersionLoaderConcurrencyTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly string schema = "fc_" + Guid.NewGuid().ToString("N")[..12];
    private NpgsqlDataSource dataSource = null!;

    public async Task InitializeAsync()
    {
        dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(server.ConnectionString) { ApplicationName = schema }.ConnectionString);
        await ControlTables.EnsureAsync(dataSource, CancellationToken.None);
    }

    public async Task DisposeAsync() => await dataSource.DisposeAsync();

    private FileVersionLoader Loader() =>
        new(dataSource, new TargetTables(dataSource, schema, schema), schema, new CsvFormat(',', ExportEncoding.Utf8), TimeZoneInfo.Utc);

    private static readonly Column[] Typed = [new("ID", ColumnType.Integer), new("AMOUNT", ColumnType.Integer), new("CODE", ColumnType.Integer)];

    /// <summary>ID,AMOUNT,CODE rows numbered from <paramref name="first"/>, then <paramref name="tail"/> as they are.</summary>
    private static string File(int first, int count, string tail = "") =>
        "ID,AMOUNT,CODE\n" + string.Concat(Enumerable.Range(first, count).Select(i => $"{i},{i % 100},{i % 7}\n")) + tail;

    /// <summary>
    /// Starts loading <paramref name="csv"/> as <paramref name="path"/>, held after its first <paramref name="head"/>
    /// bytes until the gate opens; a second open (a load started again) reads the file straight through.
    /// </summary>
    private (Task<FileVersionLoaded> Load, GatedStream Gate) StartGated(string path, string csv, int head)
    {
        var gate = new GatedStream(Encoding.UTF8.GetBytes(csv), head);
        var opens = 0;
        Task<Stream> Open(CancellationToken _) =>
            Task.FromResult(Interlocked.Increment(ref opens) == 1 ? gate : (Stream)new MemoryStream(Encoding.UTF8.GetBytes(csv)));
        var load = Task.Run(() => Loader().LoadAsync(Load("LIST", path, csv, T, null, Typed), Open, CancellationToken.None));
        return (load, gate);
    }

    /// <summary>Waits until <paramref name="count"/> of this test's sessions are in the middle of a COPY.</summary>
    private Task WaitUntilCopyingAsync(int count) =>
        WaitUntilAsync(async () => await Sql.CountAsync(dataSource,
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = @a AND state = 'active' AND query LIKE 'COPY %'", ("a", schema)) == count);

    private async Task CreateTableAsync() =>
        await Loader().LoadAsync(Load("LIST", "/x/seed.csv", File(1, 1), T, null, Typed), Content(File(1, 1)), CancellationToken.None);

    private async Task<object?[]> CountsAsync() =>
        (await Sql.RowsAsync(dataSource, $"SELECT count(*), count(DISTINCT (_sdc_source_file, _sdc_source_lineno)), count(DISTINCT id) FROM {schema}.list"))[0];

    private Task<long> SessionsWaitingOnALockAsync() =>
        Sql.CountAsync(dataSource, "SELECT count(*) FROM pg_stat_activity WHERE application_name = @a AND wait_event_type = 'Lock'", ("a", schema));

    private async Task<string> TypeOfAsync(string column) =>
        (string)(await Sql.ScalarAsync(dataSource, "SELECT data_type FROM information_schema.columns WHERE table_schema = @s AND table_name = 'list' AND column_name = @c",
            ("s", schema), ("c", column)))!;

    [Fact(Timeout = 60_000)]
    public async Task Should_copy_a_second_file_of_a_table_to_the_end_while_the_first_is_still_copying()
    {
        await CreateTableAsync();
        var (first, gate) = StartGated("/x/a.csv", File(1000, 5_000), head: 4_000);
        await gate.ReachedGate.WaitAsync(Deadline);
        await WaitUntilCopyingAsync(1);

        // The first file's transaction is open mid-COPY; the second commits all the same.
        var second = await Loader().LoadAsync(Load("LIST", "/x/b.csv", File(10_000, 4_000), T, null, Typed), Content(File(10_000, 4_000)), CancellationToken.None)
            .WaitAsync(Deadline);
        Assert.False(first.IsCompleted);
        gate.Open();

        Assert.Equal(4_000, second.RowsLoaded);
        Assert.Equal(5_000, (await first.WaitAsync(Deadline)).RowsLoaded);
        Assert.Equal([9_001L, 9_001L, 9_001L], await CountsAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_add_a_column_a_second_file_brings_while_the_first_file_of_the_table_is_copying()
    {
        await CreateTableAsync();
        var (first, gate) = StartGated("/x/a.csv", File(1000, 5_000), head: 4_000);
        await gate.ReachedGate.WaitAsync(Deadline);
        await WaitUntilCopyingAsync(1);
        var withScore = "ID,AMOUNT,CODE,SCORE\n" + string.Concat(Enumerable.Range(10_000, 3_000).Select(i => $"{i},1,2,{i}\n"));

        var second = Task.Run(() => Loader().LoadAsync(Load("LIST", "/x/b.csv", withScore, T), Content(withScore), CancellationToken.None));
        // Adding the column waits for the first file's COPY to end: the first never waits for it in turn.
        await WaitUntilAsync(async () => await SessionsWaitingOnALockAsync() == 1);
        Assert.False(second.IsCompleted);
        gate.Open();

        Assert.Equal(5_000, (await first.WaitAsync(Deadline)).RowsLoaded);
        Assert.Equal(3_000, (await second.WaitAsync(Deadline)).RowsLoaded);
        Assert.Equal([8_001L, 8_001L, 8_001L], await CountsAsync());
        Assert.Equal("bigint", await TypeOfAsync("score"));
        Assert.Equal([5_001L, 3_000L], (await Sql.RowsAsync(dataSource, $"SELECT count(*) FILTER (WHERE score IS NULL), count(score) FROM {schema}.list"))[0]);
    }

    [Fact(Timeout = 60_000)]
    public async Task Should_widen_a_column_for_a_second_file_while_the_first_file_of_the_table_is_copying()
    {
        await CreateTableAsync();
        var (first, gate) = StartGated("/x/a.csv", File(1000, 5_000), head: 4_000);
        await gate.ReachedGate.WaitAsync(Deadline);
        await WaitUntilCopyingAsync(1);
        var file = new CountedOpens(File(10_000, 3_000, "13000,n/a,1\n"));

        var second = Task.Run(() => Loader().LoadAsync(Load("LIST", "/x/b.csv", File(10_000, 3_000, "13000,n/a,1\n"), T, null, Typed), file.OpenAsync, CancellationToken.None));
        // Its widening waits for the first file's COPY to end, inside its own transaction.
        await WaitUntilAsync(async () => await SessionsWaitingOnALockAsync() == 1);
        Assert.False(second.IsCompleted);
        gate.Open();

        Assert.Equal(5_000, (await first.WaitAsync(Deadline)).RowsLoaded);
        var widened = await second.WaitAsync(Deadline);
        Assert.Equal((3_001L, 1), (widened.RowsLoaded, file.Opens));
        Assert.Equal(["AMOUNT"], widened.ColumnsWidened);
        Assert.Equal([8_002L, 8_002L, 8_002L], await CountsAsync());
        Assert.Equal("text", await TypeOfAsync("amount"));
        Assert.Equal(1L, await Sql.CountAsync(dataSource, $"SELECT count(*) FROM {schema}.list WHERE amount = 'n/a'"));
    }

    [Fact(Timeout = 90_000)]
    public async Task Should_load_two_files_of_a_table_that_need_the_same_column_widened_at_once_and_widen_it_once()
    {
        await CreateTableAsync();
        var a = File(1000, 5_000, "6000,n/a,1\n");
        var b = File(10_000, 5_000, "15000,none,1\n");
        var (first, firstGate) = StartGated("/x/a.csv", a, head: a.Length - 100);
        var (second, secondGate) = StartGated("/x/b.csv", b, head: b.Length - 100);
        await Task.WhenAll(firstGate.ReachedGate, secondGate.ReachedGate).WaitAsync(Deadline);
        await WaitUntilCopyingAsync(2);

        firstGate.Open();
        secondGate.Open();

        var loaded = await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal([5_001L, 5_001L], loaded.Select(l => l.RowsLoaded));
        // One widened the column in its load; the other backed off, had it widened on its own (finding it done), and says so once.
        Assert.All(loaded, l => Assert.Equal(["AMOUNT"], l.ColumnsWidened));
        Assert.Equal([10_003L, 10_003L, 10_003L], await CountsAsync());
        Assert.Equal(["n/a", "none"], (await Sql.RowsAsync(dataSource, $"SELECT amount FROM {schema}.list WHERE amount !~ '^[0-9]+$' ORDER BY amount")).Select(r => r[0]));
        Assert.Equal(1L, await Sql.CountAsync(dataSource,
            "SELECT count(*) FROM responsys_cluster.schema_history WHERE connection_id = @c AND change = 'widen column'", ("c", schema)));
    }

    [Fact(Timeout = 90_000)]
    public async Task Should_keep_both_widenings_when_two_files_of_a_table_widen_different_columns_at_once()
    {
        await CreateTableAsync();
        var a = File(1000, 5_000, "6000,n/a,1\n");
        var b = File(10_000, 5_000, "15000,1,x\n");
        var (first, firstGate) = StartGated("/x/a.csv", a, head: a.Length - 100);
        var (second, secondGate) = StartGated("/x/b.csv", b, head: b.Length - 100);
        await Task.WhenAll(firstGate.ReachedGate, secondGate.ReachedGate).WaitAsync(Deadline);
        await WaitUntilCopyingAsync(2);

        firstGate.Open();
        secondGate.Open();

        var loaded = await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(60));
        // The one that backed off widened its column in a transaction of its own: each names its own column, once.
        Assert.Equal(["AMOUNT"], loaded[0].ColumnsWidened);
        Assert.Equal(["CODE"], loaded[1].ColumnsWidened);
        Assert.Equal(("text", "text"), (await TypeOfAsync("amount"), await TypeOfAsync("code")));
        Assert.Equal([10_003L, 10_003L, 10_003L], await CountsAsync());
        Assert.Equal(["amount", "code"], (await Sql.RowsAsync(dataSource,
            "SELECT target_column FROM responsys_cluster.schema_history WHERE connection_id = @c AND change = 'widen column' ORDER BY target_column",
            ("c", schema))).Select(r => r[0]));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met within " + Deadline);
            await Task.Delay(20);
        }
    }
}
