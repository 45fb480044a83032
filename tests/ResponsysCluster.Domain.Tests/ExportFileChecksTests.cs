using System.Text;
using ResponsysCluster.Domain.Files;

namespace ResponsysCluster.Domain.Tests;

public sealed class ExportFileChecksTests
{
    private static readonly DateTimeOffset T = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);
    private static readonly RemoteFile Data = new("/x/LIST.csv", "LIST.csv", 10, T);
    private static readonly RemoteFile Ready = new("/x/LIST.ready", "LIST.ready", 3, T);

    /// <summary>A directory whose files are given by the test, as the port returns them.</summary>
    private sealed class FixedDirectory(RemoteFile? current, string readyText = "") : IExportDirectory
    {
        public int BytesAsked { get; private set; }

        public Task<IReadOnlyList<RemoteFile>> ListAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Stream> OpenReadAsync(RemoteFile file, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Stream> OpenRangeAsync(RemoteFile file, long offset, long length, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<string> ReadSmallTextAsync(RemoteFile file, int maxBytes, CancellationToken cancellationToken)
        {
            BytesAsked = maxBytes;
            var bytes = Encoding.UTF8.GetBytes(readyText);
            return Task.FromResult(Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, maxBytes)));
        }

        public Task<RemoteFile?> StatAsync(RemoteFile file, CancellationToken cancellationToken) => Task.FromResult(current);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Theory]
    [InlineData("42\n", 42L)]
    [InlineData("", null)]
    [InlineData("done", null)]
    public async Task Should_read_the_ready_files_count_with_a_bounded_read(string text, long? expected)
    {
        var directory = new FixedDirectory(Data, text);
        Assert.Equal(expected, await ExportFileChecks.ReadRecordCountAsync(directory, Ready, CancellationToken.None));
        Assert.Equal(ExportFileChecks.MaxReadyFileBytes, directory.BytesAsked);
    }

    [Fact]
    public async Task Should_fail_the_file_naming_the_ready_file_when_its_count_is_larger_than_any_file_holds()
    {
        var directory = new FixedDirectory(Data, "99999999999999999999\n");
        var error = await Assert.ThrowsAsync<ExportFileException>(() => ExportFileChecks.ReadRecordCountAsync(directory, Ready, CancellationToken.None));
        Assert.Equal((Ready.Path, "record count mismatch: the ready file LIST.ready says 99999999999999999999 records, more than any file can hold"),
            (error.FilePath, error.Reason));
    }

    [Theory]
    [InlineData(null, 5L, RecordCountOutcome.NoCount)]
    [InlineData(5L, 5L, RecordCountOutcome.MatchesRecords)]
    [InlineData(6L, 5L, RecordCountOutcome.MatchesRecordsAndHeader)]
    public void Should_accept_the_count_with_or_without_the_header(long? expected, long records, RecordCountOutcome outcome) =>
        Assert.Equal(outcome, ExportFileChecks.RequireRecordCount(Data.Path, Ready.Name, expected, records));

    [Fact]
    public void Should_fail_a_count_mismatch_naming_the_file_the_ready_file_and_both_counts()
    {
        var error = Assert.Throws<ExportFileException>(() => ExportFileChecks.RequireRecordCount(Data.Path, Ready.Name, 7, 5));
        Assert.Equal(Data.Path, error.FilePath);
        Assert.Equal("record count mismatch: the ready file LIST.ready says 7, the file holds 5 records (the export is incomplete or was replaced)",
            error.Reason);
    }

    [Fact]
    public void Should_name_no_ready_file_when_none_is_known()
    {
        var error = Assert.Throws<ExportFileException>(() => ExportFileChecks.RequireRecordCount(Data.Path, null, 0, 5));
        Assert.StartsWith("record count mismatch: the ready file says 0, the file holds 5 records", error.Reason);
    }

    [Theory]
    [InlineData(RecordCountOutcome.MatchesRecords, "the ready file's count 5 matches the records without the header row")]
    [InlineData(RecordCountOutcome.MatchesRecordsAndHeader, "the ready file's count 6 matches the records with the header row")]
    [InlineData(RecordCountOutcome.NoCount, "the ready file carries no record count")]
    public void Should_say_which_count_the_records_matched(RecordCountOutcome outcome, string words) =>
        Assert.Equal(words, RecordCountCheck.Describe(outcome, 5));

    [Fact]
    public void Should_have_no_value_notes_unless_the_load_gave_some()
    {
        Assert.Empty(new FileVersionLoaded(false, 1, 0, []).Notes);
        Assert.Equal(["moved forward"], new FileVersionLoaded(false, 1, 0, [], ValueNotes: ["moved forward"]).Notes);
    }

    [Fact]
    public async Task Should_pass_a_file_that_did_not_change_while_it_was_read() =>
        await ExportFileChecks.RequireUnchangedAsync(new FixedDirectory(Data), Data, CancellationToken.None);

    [Fact]
    public async Task Should_fail_a_file_deleted_while_it_was_read()
    {
        var error = await Assert.ThrowsAsync<ExportFileException>(() =>
            ExportFileChecks.RequireUnchangedAsync(new FixedDirectory(null), Data, CancellationToken.None));
        Assert.Equal("the file was deleted while it was read", error.Reason);
    }

    [Theory]
    [InlineData(11, 0)]
    [InlineData(10, 1)]
    public async Task Should_fail_a_file_whose_size_or_mtime_changed_while_it_was_read(long size, int secondsLater)
    {
        var after = Data with { Size = size, Modified = T.AddSeconds(secondsLater) };
        var error = await Assert.ThrowsAsync<ExportFileException>(() =>
            ExportFileChecks.RequireUnchangedAsync(new FixedDirectory(after), Data, CancellationToken.None));
        Assert.StartsWith($"the file changed while it was read (size 10 → {size}, modified ", error.Reason);
        Assert.EndsWith("it will be read again as a new version", error.Reason);
    }

    [Theory]
    [InlineData(null, "empty data file (0 bytes) and the ready file carries no record count: nothing to load")]
    [InlineData(0L, "empty data file (0 bytes), as the ready file's count 0 says: nothing to load")]
    public void An_empty_data_file_whose_ready_file_expects_nothing_is_skipped_saying_why(long? expected, string why) =>
        Assert.Equal(why, ExportFileChecks.RequireNothingExpectedOfEmptyFile(Data.Path, Ready.Name, expected));

    [Theory]
    [InlineData(1L)]
    [InlineData(7L)]
    public void An_empty_data_file_whose_ready_file_promises_records_fails_as_a_count_mismatch(long expected)
    {
        var error = Assert.Throws<ExportFileException>(() => ExportFileChecks.RequireNothingExpectedOfEmptyFile(Data.Path, Ready.Name, expected));
        Assert.Equal(Data.Path, error.FilePath);
        Assert.StartsWith($"record count mismatch: the ready file {Ready.Name} says {expected}, the file is empty (0 bytes", error.Reason);
    }

    [Fact]
    public void An_empty_data_file_with_a_count_and_no_known_ready_file_names_no_ready_file()
    {
        var error = Assert.Throws<ExportFileException>(() => ExportFileChecks.RequireNothingExpectedOfEmptyFile(Data.Path, null, 3));
        Assert.StartsWith("record count mismatch: the ready file says 3, the file is empty (0 bytes", error.Reason);
    }
}
