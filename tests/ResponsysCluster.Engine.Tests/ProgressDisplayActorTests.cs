using Akka.Actor;
using Akka.TestKit.Xunit2;
using ResponsysCluster.Node.Commands;
using static ResponsysCluster.Engine.Files.FileJobProtocol;

namespace ResponsysCluster.Engine.Tests;

public sealed class ProgressDisplayActorTests : TestKit
{
    [Fact]
    public async Task Should_show_files_rows_and_bytes_from_the_workers_progress()
    {
        var terminal = new StringWriter();
        var display = Sys.ActorOf(ProgressDisplayActor.Props(terminal));
        AwaitCondition(() => terminal.ToString().Contains("files done"), TimeSpan.FromSeconds(5));

        Sys.EventStream.Publish(new FileProgress("c", "LIST", "/x/a.csv", 2 * 1048576, 50_000, false));
        Sys.EventStream.Publish(new FileProgress("c", "LIST", "/x/a.csv", 2 * 1048576, 120_000, true));
        Sys.EventStream.Publish(new FileProgress("c", "LIST", "/x/b.csv", 1048576, 50_000, false));
        await display.GracefulStop(TimeSpan.FromSeconds(5));

        var last = terminal.ToString().Split('\r').Last();
        Assert.Contains("1 files done, 1 loading", last);
        Assert.Contains("170,000 rows", last);
        Assert.Contains("2.0 MiB", last);
    }
}
