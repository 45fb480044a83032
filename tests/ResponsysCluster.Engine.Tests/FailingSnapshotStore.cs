using Akka.Persistence;
using Akka.Persistence.Snapshot;

namespace ResponsysCluster.Engine.Tests;

/// <summary>
/// The in-memory snapshot store, except that it fails to save the snapshots of persistence ids that contain
/// <see cref="SaveFails"/> and to delete those of ids that contain <see cref="DeleteFails"/>, as a store that is
/// down would.
/// </summary>
public sealed class FailingSnapshotStore : MemorySnapshotStore
{
    /// <summary>The HOCON that makes it the default snapshot store; put after <see cref="HoldingJournal.Config"/>.</summary>
    public const string Config = """
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.failing"
        akka.persistence.snapshot-store.failing {
            class = "ResponsysCluster.Engine.Tests.FailingSnapshotStore, ResponsysCluster.Engine.Tests"
            plugin-dispatcher = "akka.actor.default-dispatcher"
        }
        """;

    public const string SaveFails = "SAVE-FAILS";

    public const string DeleteFails = "DELETE-FAILS";

    protected override Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken) =>
        metadata.PersistenceId.Contains(SaveFails, StringComparison.Ordinal)
            ? Task.FromException(new IOException("snapshot store unavailable"))
            : base.SaveAsync(metadata, snapshot, cancellationToken);

    protected override Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken) =>
        persistenceId.Contains(DeleteFails, StringComparison.Ordinal)
            ? Task.FromException(new IOException("snapshot store unavailable"))
            : base.DeleteAsync(persistenceId, criteria, cancellationToken);
}
