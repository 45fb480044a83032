using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace ResponsysCluster.Node;

/// <summary>Every log line goes to stderr: stdout carries Singer messages only.</summary>
internal static class Logging
{
    public static ILoggerFactory CreateFactory() => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(LogLevel.Information)
        // "Application started. Press Ctrl+C to shut down." is noise for a command that ends by itself.
        .AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning)
        .AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
            options.UseUtcTimestamp = true;
        })
        .AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace));
}
