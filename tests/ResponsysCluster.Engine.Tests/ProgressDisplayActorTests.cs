using System.Text;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using ResponsysCluster.Node.Commands;
using static ResponsysCluster.Engine.Files.FileJobProtocol;

namespace ResponsysCluster.Engine.Tests;

public sealed class ProgressDisplayActorTests : TestKit
{
    /// <summary>A terminal the actor writes from its own thread while the test reads it: every access takes one lock.</summary>
    private sealed class LockedTerminal : TextWriter
    {
        private readonly StringBuilder text = new();

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            lock (text) text.Append(value);
        }

        public override void Write(string? value)
        {
            lock (text) text.Append(value);
        }

        public override string ToString()
        {
            lock (text) return text.ToString();
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Should_show_files_rows_and_bytes_from_the_workers_progress()
    {
        var terminal = new LockedTerminal();
        var display = Sys.ActorOf(ProgressDisplayActor.Props(terminal));
        // The first redraw shows the actor has subscribed to the event stream.
        await AwaitConditionAsync(() => Task.FromResult(terminal.ToString().Contains("files done")), TimeSpan.FromSeconds(5));

        Sys.EventStream.Publish(new FileProgress("c", "LIST", "/x/a.csv", 2 * 1048576, 50_000, false));
        Sys.EventStream.Publish(new FileProgress("c", "LIST", "/x/a.csv", 2 * 1048576, 120_000, true));
        Sys.EventStream.Publish(new FileProgress("c", "LIST", "/x/b.csv", 1048576, 50_000, false));
        Assert.True(await display.GracefulStop(TimeSpan.FromSeconds(5)));

        var last = terminal.ToString().Split('\r').Last();
        Assert.Contains("1 files done, 1 loading", last);
        Assert.Contains("170,000 rows", last);
        Assert.Contains("2.0 MiB", last);
    }
}
