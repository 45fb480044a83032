using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace ResponsysCluster.Sftp.Tests;

/// <summary>A logger that keeps every message with the time it was written, since the log was created.</summary>
internal sealed class TimedLog : ILogger
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<(TimeSpan At, LogLevel Level, string Message)> entries = new();

    public IReadOnlyList<(TimeSpan At, LogLevel Level, string Message)> Entries => [.. entries];

    public TimeSpan Now => clock.Elapsed;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        entries.Enqueue((clock.Elapsed, logLevel, formatter(state, exception)));
}
