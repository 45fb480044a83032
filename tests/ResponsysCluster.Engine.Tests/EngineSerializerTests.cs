using Akka.Actor;
using Akka.TestKit.Xunit2;
using ResponsysCluster.Domain.Bookmarks;
using ResponsysCluster.Domain.Files;
using ResponsysCluster.Engine.Bookmarks;
using ResponsysCluster.Domain.Schema;
using ResponsysCluster.Engine.Runs;
using ResponsysCluster.Engine.Serialization;
using ResponsysCluster.Domain.Registry;
using ResponsysCluster.Engine.Registry;
using static ResponsysCluster.Engine.Registry.ConnectionRegistryProtocol;
using static ResponsysCluster.Engine.Bookmarks.TableBookmarkProtocol;
using static ResponsysCluster.Engine.Files.FileJobProtocol;
using static ResponsysCluster.Engine.Runs.ConnectionSchedulerProtocol;

namespace ResponsysCluster.Engine.Tests;

public sealed class EngineSerializerTests : TestKit
{
    private static readonly DateTimeOffset T = new(2018, 9, 11, 9, 0, 0, TimeSpan.Zero);

    private static readonly RegisteredConnection Registered = new("c", "{\"host\": \"h\"}", true, 7);

    private static readonly FileJob Job = new(Guid.NewGuid(), "c", "LIST", new RemoteFile("/x/a.csv", "a.csv", 42, T),
        new RemoteFile("/x/a.ready", "a.ready", 0, T), [new Column("ID", ColumnType.Integer), new Column("WHEN", ColumnType.DateTime)], 2);

    private static readonly RunReport Report = new("c", Guid.NewGuid(), T, TimeSpan.FromSeconds(3),
        [new TableLoadReport("LIST", 1, 0, 1, 0, 0, 10, 2, 42, TimeSpan.FromSeconds(2), ["/x/b.csv: record count mismatch"])], []);

    public static TheoryData<object> Messages()
    {
        var version = new FileVersion("/x/a.csv", T, 42);
        var bookmark = TableBookmark.Start(T).Complete(version, [new FileVersion("/x/b.csv", T.AddSeconds(5), 7)]);
        return new TheoryData<object>
        {
            new FileVersionCompletedEvent("/x/a.csv", T, 42, T),
            new FileVersionCompletedEvent("/x/a.csv", T, 42, null),
            new TableResetEvent(T),
            TableBookmarkSnapshot.Of(bookmark, T),
            new GetBookmark("c", "LIST"),
            new CompleteFileVersion("c", "LIST", version, [new FileVersion("/x/b.csv", T.AddSeconds(5), 7)]),
            new ResetTable("c", "LIST", null),
            new BookmarkState("c", "LIST", TableBookmarkSnapshot.Of(bookmark, T)),
            Job,
            new FileJobSucceeded(Job, false, 10, 2, ["AMOUNT"], TimeSpan.FromSeconds(1.5), RecordCountOutcome.MatchesRecordsAndHeader),
            new FileJobSucceeded(Job, true, 0, 0, [], TimeSpan.Zero, null),
            new FileJobFailed(Job, new FileFailure("/x/a.csv", "malformed CSV", 3, 2), TimeSpan.FromSeconds(0.5)),
            new FileJobFailed(Job, new FileFailure("/x/a.csv", "PostgreSQL: connection refused"), TimeSpan.Zero),
            new WorkAvailable(Guid.NewGuid(), "c"),
            new RequestWork(Guid.NewGuid()),
            new RequestWork(Guid.NewGuid(), 50),
            new FileJobBatch([Job, Job with { Attempt = 2 }]),
            Job with { SelectedColumns = ["ID"] },
            new NoWorkNow(Guid.NewGuid()),
            new FileProgress("c", "LIST", "/x/a.csv", 42, 50_000, false),
            new RunNow(["LIST"]),
            new RunNow(null),
            new RunAlreadyRunning("c"),
            Cluster.NodeActivityProtocol.GetNodeActivity.Instance,
            new Cluster.NodeActivityProtocol.NodeActivity(["a", "b"], 3),
            new StartRun(["LIST"]),
            new RunStarted("c", Guid.NewGuid()),
            Report.Tables[0],
            Report,
            new ConnectionRegistryEvent("Saved", "c", "{}"),
            new ConnectionRegistryEvent("Paused", "c", null),
            new ConnectionRegistrySnapshot([Registered], 7),
            new SaveConnection("c", "{}"),
            new PauseConnection("c"),
            new ResumeConnection("c"),
            new RemoveConnection("c"),
            new RegistryAnswer("c", true, Registered),
            new RegistryAnswer("d", false, null, "connection d is not registered"),
            GetConnections.Instance,
            new RegistryContents([Registered], 7),
            new ConnectionUpdated("c", Registered, 7),
            new ConnectionUpdated("c", null, 8),
            new ConnectionChanged("c"),
        };
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Should_round_trip_every_message_with_a_short_manifest(object message)
    {
        var serializer = new EngineSerializer((ExtendedActorSystem)Sys);
        var manifest = serializer.Manifest(message);
        Assert.InRange(manifest.Length, 1, 8);
        var copy = serializer.FromBinary(serializer.ToBinary(message), manifest);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(message, message.GetType()), System.Text.Json.JsonSerializer.Serialize(copy, copy.GetType()));
        Assert.Equal(message.GetType(), copy.GetType());
    }

    [Fact]
    public void Should_cover_every_engine_message_in_the_round_trip()
    {
        var tested = ((IEnumerable<object[]>)Messages()).Select(row => row[0].GetType()).ToHashSet();
        var engineMessages = typeof(IEngineMessage).Assembly.GetTypes()
            .Where(t => typeof(IEngineMessage).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false }).ToList();
        Assert.All(engineMessages, type => Assert.Contains(type, EngineSerializer.KnownTypes));
        Assert.All(EngineSerializer.KnownTypes, type => Assert.Contains(type, tested));
    }

    [Fact]
    public void Should_restore_the_same_bookmark_from_its_snapshot()
    {
        var a = new FileVersion("/x/a.csv", T.AddSeconds(1), 1);
        var bookmark = TableBookmark.Start(T).Complete(a, [new FileVersion("/x/b.csv", T.AddSeconds(1), 1)]);
        var restored = TableBookmarkSnapshot.Of(bookmark, T).ToBookmark();
        Assert.False(restored.IsPending(a));
        Assert.True(restored.IsPending(new FileVersion("/x/b.csv", T.AddSeconds(1), 1)));
    }

    [Fact]
    public void Should_restore_versions_done_while_an_older_one_holds_back_the_first_watermark()
    {
        // No start date, and the oldest version waits for its ready file: the newer ones are done, the watermark unset.
        var waiting = new FileVersion("/x/a.csv", T, 1);
        var b = new FileVersion("/x/b.csv", T.AddSeconds(1), 1);
        var c = new FileVersion("/x/c.csv", T.AddSeconds(2), 1);
        var bookmark = TableBookmark.Start(null).Complete(b, [waiting]).Complete(c, [waiting]);
        Assert.Null(bookmark.Watermark);

        var snapshot = TableBookmarkSnapshot.Of(bookmark, null);
        Assert.Equal(new[] { new DoneVersion(b.Path, b.Modified), new DoneVersion(c.Path, c.Modified) }, snapshot.DoneAtOrAbove);
        var serializer = new EngineSerializer((ExtendedActorSystem)Sys);
        var restored = ((TableBookmarkSnapshot)serializer.FromBinary(serializer.ToBinary(snapshot), serializer.Manifest(snapshot))).ToBookmark();
        Assert.Null(restored.Watermark);
        Assert.False(restored.IsPending(b));
        Assert.False(restored.IsPending(c));
        Assert.True(restored.IsPending(waiting));
        Assert.True(restored.IsPending(new FileVersion("/x/old.csv", T.AddYears(-5), 1)));
    }
}
