using Microsoft.Extensions.Logging;

namespace ResponsysCluster.Node;

/// <summary>Every log line goes to stderr, one line per entry, control characters escaped: stdout carries the report or Singer messages only.</summary>
internal static class Logging
{
    public static ILoggerFactory CreateFactory() => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(LogLevel.Information)
        // "Application started. Press Ctrl+C to shut down." is noise for a command that ends by itself.
        .AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning)
        // A line per health probe (every few seconds from an orchestrator) would bury the node's own log.
        .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
        .AddConsole(options =>
        {
            options.FormatterName = EscapingConsoleFormatter.FormatterName;
            options.LogToStandardErrorThreshold = LogLevel.Trace;
        })
        .AddConsoleFormatter<EscapingConsoleFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>());
}
