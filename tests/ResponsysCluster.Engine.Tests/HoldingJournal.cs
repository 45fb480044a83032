using System.Collections.Immutable;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// The in-memory journal, except that after <see cref="Hold"/> it keeps writes waiting (telling the holder when
/// one arrives) until <see cref="Release"/>: a test can look at an actor while its event is not yet persisted.
/// </summary>
public sealed class HoldingJournal : MemoryJournal
{
    /// <summary>
    /// The HOCON that makes it the default journal of a test actor system, with snapshots in memory too (the
    /// default snapshot store writes files that a later test run would recover from).
    /// </summary>
    public const string Config = """
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        akka.persistence.journal.plugin = "akka.persistence.journal.holding"
        akka.persistence.journal.holding {
            class = "ResponsysCluster.Engine.Tests.HoldingJournal, ResponsysCluster.Engine.Tests"
            plugin-dispatcher = "akka.actor.default-dispatcher"
        }
        """;

    private TaskCompletionSource released = Open();
    private IActorRef? holder;

    /// <summary>Holds the writes that come from now on; each one that arrives is told to the sender as <see cref="WriteHeld"/>.</summary>
    public sealed record Hold;

    /// <summary>Lets held writes, and all later ones, through.</summary>
    public sealed record Release;

    public sealed record WriteHeld(string PersistenceId, long HighestSequenceNr);

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    protected override bool ReceivePluginInternal(object message)
    {
        switch (message)
        {
            case Hold:
                released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                holder = Sender;
                return true;
            case Release:
                released.TrySetResult();
                holder = null;
                return true;
            default:
                return base.ReceivePluginInternal(message);
        }
    }

    protected override async Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var writes = messages.ToList();
        var gate = released.Task;
        if (!gate.IsCompleted)
            foreach (var write in writes) holder?.Tell(new WriteHeld(write.PersistenceId, write.HighestSequenceNr));
        await gate.WaitAsync(cancellationToken);
        return await base.WriteMessagesAsync(writes, cancellationToken);
    }
}
