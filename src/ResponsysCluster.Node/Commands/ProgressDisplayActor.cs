using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using static ResponsysCluster.Engine.Files.FileJobProtocol;

namespace ResponsysCluster.Node.Commands;

/// <summary>
/// On a terminal, one line on stderr redrawn twice a second: files finished, rows, rows/s and bytes, from the
/// file workers' progress on the node's event stream.
/// </summary>
public sealed class ProgressDisplayActor : ReceiveActor, IWithTimers
{
    private readonly TextWriter terminal;
    private readonly Dictionary<string, long> rowsInFlight = new(StringComparer.Ordinal);
    private readonly Stopwatch elapsed = Stopwatch.StartNew();
    private long rowsDone;
    private long bytesDone;
    private int filesDone;

    public ProgressDisplayActor(TextWriter terminal)
    {
        this.terminal = terminal;
        Receive<FileProgress>(HandleProgress);
        Receive<Redraw>(_ => Draw());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(TextWriter terminal) => Akka.Actor.Props.Create(() => new ProgressDisplayActor(terminal));

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(FileProgress));
        Timers.StartPeriodicTimer("redraw", Redraw.Instance, TimeSpan.FromMilliseconds(500));
    }

    protected override void PostStop()
    {
        Draw();
        terminal.WriteLine();
    }

    private void HandleProgress(FileProgress progress)
    {
        if (!progress.Finished)
        {
            rowsInFlight[progress.Path] = progress.Rows;
            return;
        }
        rowsInFlight.Remove(progress.Path);
        filesDone++;
        rowsDone += progress.Rows;
        bytesDone += progress.FileSize;
    }

    private void Draw()
    {
        var rows = rowsDone + rowsInFlight.Values.Sum();
        var seconds = Math.Max(elapsed.Elapsed.TotalSeconds, 0.001);
        terminal.Write(string.Create(CultureInfo.InvariantCulture,
            $"\r{filesDone} files done, {rowsInFlight.Count} loading | {rows:N0} rows | {rows / seconds:N0} rows/s | {bytesDone / 1048576.0:N1} MiB   "));
    }

    private sealed record Redraw : INoSerializationVerificationNeeded
    {
        public static readonly Redraw Instance = new();
    }
}
