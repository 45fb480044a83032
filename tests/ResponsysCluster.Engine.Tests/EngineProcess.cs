using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// The <c>responsys-cluster</c> executable as a child process with its own environment. Its stdout and stderr are
/// both read from the start, so a chatty process never stalls on a full pipe; <see cref="DisposeAsync"/> kills
/// it if it is still running, so it never outlives the test.
/// </summary>
internal sealed class EngineProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly Task<string> stdout;
    private readonly Task<string> stderr;
    private readonly StringBuilder stderrSoFar = new();

    private EngineProcess(Process process)
    {
        this.process = process;
        stdout = process.StandardOutput.ReadToEndAsync();
        stderr = ReadStderrAsync();
    }

    /// <summary>What the process has written to stderr so far (its log).</summary>
    public string StderrSoFar
    {
        get
        {
            lock (stderrSoFar) return stderrSoFar.ToString();
        }
    }

    /// <summary>The first match of <paramref name="pattern"/> in the process's log, waiting for it at most <paramref name="timeout"/>.</summary>
    public async Task<Match> WaitForLogAsync(Regex pattern, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var match = pattern.Match(StderrSoFar);
            if (match.Success) return match;
            if (process.HasExited || DateTime.UtcNow > deadline)
                throw new TimeoutException($"no log line matched {pattern} (exited: {process.HasExited}); the log:\n{StderrSoFar}");
            await Task.Delay(100);
        }
    }

    private async Task<string> ReadStderrAsync()
    {
        while (await process.StandardError.ReadLineAsync() is { } line)
        {
            lock (stderrSoFar) stderrSoFar.Append(line).Append('\n');
        }
        return StderrSoFar;
    }

    /// <summary>
    /// Starts <c>dotnet responsys-cluster.dll</c> with <paramref name="arguments"/>; <paramref name="environment"/>
    /// sets variables for the child alone (a null value removes one), never for the test process.
    /// </summary>
    public static EngineProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "responsys-cluster.dll"));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        process.StandardInput.Close();
        return new EngineProcess(process);
    }

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    /// <summary>Waits for the exit (at most <paramref name="timeout"/>) and returns everything the process wrote.</summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>SIGTERM, as a container runtime stops a container: the process stops cleanly in its own time.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>SIGKILL: the process gets no chance to clean up.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        await Task.WhenAll(stdout, stderr);
        process.Dispose();
    }
}
