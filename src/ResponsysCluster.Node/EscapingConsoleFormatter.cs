using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using ResponsysCluster.Domain;

namespace ResponsysCluster.Node;

/// <summary>
/// One line per log entry, as the simple console formatter writes it (<c>time level: category[event] message</c>),
/// with every control character of the message and exception escaped: file names come from the SFTP server, and a
/// newline or an ANSI escape sequence in one must neither forge a log line nor reach the terminal.
/// </summary>
internal sealed class EscapingConsoleFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "escaping";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (logEntry.Exception is { } exception) message += " " + exception;
        textWriter.Write(DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z' ", CultureInfo.InvariantCulture));
        textWriter.Write(Level(logEntry.LogLevel));
        textWriter.Write(": ");
        textWriter.Write(PrintableText.Escape(logEntry.Category));
        textWriter.Write(string.Create(CultureInfo.InvariantCulture, $"[{logEntry.EventId.Id}] "));
        textWriter.WriteLine(PrintableText.Escape(message));
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
