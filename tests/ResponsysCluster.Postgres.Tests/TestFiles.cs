using System.Text;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Schema;

namespace ResponsysCluster.Postgres.Tests;

/// <summary>Export files held in memory, as the loader's <c>open</c> callback hands them over.</summary>
internal static class TestFiles
{
    public static readonly DateTimeOffset T = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);

    public static Func<CancellationToken, Task<Stream>> Content(string csv) =>
        _ => Task.FromResult<Stream>(new MemoryStream(Encoding.UTF8.GetBytes(csv)));

    public static FileVersionLoad Load(string table, string path, string csv, DateTimeOffset modified, long? expected = null, params Column[] inferred) =>
        new(table, new FileVersion(path, modified, Encoding.UTF8.GetByteCount(csv)), expected, inferred);

    /// <summary>A one-column file of <paramref name="records"/> records: <c>ID</c>, then 1, 2, 3 …</summary>
    public static string Ids(int records)
    {
        var csv = new StringBuilder("ID\n", records * 8);
        for (var i = 1; i <= records; i++) csv.Append(i).Append('\n');
        return csv.ToString();
    }
}

/// <summary>An <c>open</c> callback over an in-memory file that counts how often the loader opened it.</summary>
internal sealed class CountedOpens(string csv)
{
    private int _opens;

    public int Opens => _opens;

    public Task<Stream> OpenAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _opens);
        return Task.FromResult<Stream>(new MemoryStream(Encoding.UTF8.GetBytes(csv)));
    }
}
