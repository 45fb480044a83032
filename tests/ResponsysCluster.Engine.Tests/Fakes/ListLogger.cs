using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ResponsysCluster.Engine.Tests.Fakes;

/// <summary>Keeps every formatted log line, with its level, for tests that read what was logged.</summary>
public sealed class ListLogger : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, string Text)> lines = new();

    public IReadOnlyList<(LogLevel Level, string Text)> Lines => [.. lines];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        lines.Enqueue((logLevel, formatter(state, exception)));
}
