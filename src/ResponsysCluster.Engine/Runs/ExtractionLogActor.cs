using Akka.Actor;
using Microsoft.Extensions.Logging;
using ResponsysCluster.Domain.Ports;

namespace ResponsysCluster.Engine.Runs;

/// <summary>
/// Writes one run's extraction log, a step at a time and in the order the run sent them (each write finishes
/// before the next message is read), and logs each step. A database hiccup loses that step, never the run.
/// </summary>
public sealed class ExtractionLogActor : ReceiveActor
{
    public ExtractionLogActor(IRunRecords records, Guid runId, ILogger logger)
    {
        ReceiveAsync<Step>(async step =>
        {
            // A step about one file names it: the log alone must say which file started, finished or failed.
            if (step.Path is null)
                logger.Log(step.Error ? LogLevel.Error : LogLevel.Information, "Run {RunId} {Step}: {Message}", runId, step.Name, step.Message);
            else
                logger.Log(step.Error ? LogLevel.Error : LogLevel.Information, "Run {RunId} {Step} {Path}: {Message}", runId, step.Name, step.Path, step.Message);
            try
            {
                await records.StepAsync(runId, step.Name, step.Message, step.Table, step.Path, CancellationToken.None).ConfigureAwait(false);
            }
            catch (DatabaseUnavailableException ex)
            {
                logger.LogWarning("Extraction log of run {RunId} not written: {Error}", runId, ex.Message);
            }
        });
        Receive<Flush>(_ => Sender.Tell(Flushed.Instance));
    }

    public static Props Props(IRunRecords records, Guid runId, ILogger logger) =>
        Akka.Actor.Props.Create(() => new ExtractionLogActor(records, runId, logger));

    /// <summary>One step of the run: what happened, to which table and file.</summary>
    public sealed record Step(string Name, string Message, string? Table = null, string? Path = null, bool Error = false)
        : INoSerializationVerificationNeeded;

    /// <summary>Answered with <see cref="Flushed"/> once every step sent before it is written.</summary>
    public sealed record Flush : INoSerializationVerificationNeeded
    {
        public static readonly Flush Instance = new();
    }

    public sealed record Flushed : INoSerializationVerificationNeeded
    {
        public static readonly Flushed Instance = new();
    }
}
