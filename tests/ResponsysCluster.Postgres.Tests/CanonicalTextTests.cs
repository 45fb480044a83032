using Npgsql;
using ResponsysCluster.Domain.Schema;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Postgres.Tests;

/// <summary>
/// The canonical text a loader writes into a widened column must equal what the widening's cast made of the rows
/// already loaded: checked against PostgreSQL's own rendering of the same value.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CanonicalTextTests(PostgresServer server) : IAsyncLifetime
{
    private NpgsqlDataSource dataSource = null!;

    public Task InitializeAsync()
    {
        dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await dataSource.DisposeAsync();

    [Theory]
    [InlineData("1e3")]
    [InlineData("1.0e1")]
    [InlineData("2.50e1")]
    [InlineData("1.50")]
    [InlineData("-0")]
    [InlineData("-0.0")]
    [InlineData("0.000")]
    [InlineData("1.5e-3")]
    [InlineData("1E+2")]
    [InlineData("-12.345e2")]
    [InlineData("123456789012345678901234.5678")]
    public async Task Should_write_a_number_as_PostgreSQL_renders_its_numeric(string text) =>
        Assert.Equal(await Sql.ScalarAsync(dataSource, "SELECT @v::numeric::text", ("v", text)),
            CanonicalText.Of(ColumnType.Number, text, TimeZoneInfo.Utc));

    [Theory]
    [InlineData("-0")]
    [InlineData("9223372036854775807")]
    [InlineData("-42")]
    public async Task Should_write_an_integer_as_PostgreSQL_renders_its_bigint(string text) =>
        Assert.Equal(await Sql.ScalarAsync(dataSource, "SELECT @v::bigint::text", ("v", text)),
            CanonicalText.Of(ColumnType.Integer, text, TimeZoneInfo.Utc));

    [Theory]
    [InlineData("2018-09-11 09:11:02", "UTC")]
    [InlineData("2018-09-11 09:11:02.5", "America/New_York")]
    [InlineData("10-SEP-2018 19:27:52", "Europe/Paris")]
    [InlineData("2018-09-11T09:11:02+02:00", "America/New_York")]
    [InlineData("0001-01-01 00:00:00", "UTC")]
    public async Task Should_write_a_date_time_as_the_widening_renders_its_timestamptz(string text, string zone)
    {
        var wallClockZone = TimeZoneInfo.FindSystemTimeZoneById(zone);
        Assert.True(ColumnValues.TryDateTimeUtc(text, wallClockZone, out var utc));
        var rendered = await Sql.ScalarAsync(dataSource, $"SELECT {CanonicalText.Cast("@v::text::timestamptz", ColumnType.DateTime, ColumnType.String)}",
            ("v", utc.ToString("yyyy-MM-dd HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture) + "+00"));

        Assert.Equal(rendered, CanonicalText.Of(ColumnType.DateTime, text, wallClockZone));
    }

    [Fact]
    public void Should_keep_the_files_text_for_a_value_that_does_not_read_as_the_old_type()
    {
        Assert.Null(CanonicalText.Of(ColumnType.Number, "n/a", TimeZoneInfo.Utc));
        Assert.Null(CanonicalText.Of(ColumnType.Integer, "1.5", TimeZoneInfo.Utc));
        Assert.Null(CanonicalText.Of(ColumnType.DateTime, "never", TimeZoneInfo.Utc));
    }
}
