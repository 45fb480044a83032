using System.Runtime.Serialization;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;
using ResponsysCluster.Engine.Bookmarks;
using ResponsysCluster.Engine.Cluster;
using ResponsysCluster.Engine.Registry;
using ResponsysCluster.Engine.Runs;
using static ResponsysCluster.Engine.Bookmarks.TableBookmarkProtocol;
using static ResponsysCluster.Engine.Files.FileJobProtocol;
using static ResponsysCluster.Engine.Registry.ConnectionRegistryProtocol;
using static ResponsysCluster.Engine.Runs.ConnectionSchedulerProtocol;

namespace ResponsysCluster.Engine.Serialization;

/// <summary>
/// JSON with short, stable manifests for every <see cref="IEngineMessage"/>: renaming a type never breaks the
/// journal. A manifest, once written, is never reused for another shape; a changed event gets a new one.
/// </summary>
public sealed class EngineSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int SerializerId = 727;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);

    private static readonly Dictionary<string, Type> TypesByManifest = new()
    {
        ["bfc1"] = typeof(FileVersionCompletedEvent),
        ["btr1"] = typeof(TableResetEvent),
        ["bsn1"] = typeof(TableBookmarkSnapshot),
        ["bget"] = typeof(GetBookmark),
        ["bcmp"] = typeof(CompleteFileVersion),
        ["brst"] = typeof(ResetTable),
        ["bsta"] = typeof(BookmarkState),
        // "fload", "fok" and "ffail" were the shapes of the push protocol before work pulling, "fwork" the
        // announcement before workers served every connection, "fjob", "fok2" and "ffail2" a job without its selected
        // columns, "freq" a request for one job only: never reused; "rrep" a report without LockHeld.
        ["fwork2"] = typeof(WorkAvailable),
        ["freq2"] = typeof(RequestWork),
        ["fbat"] = typeof(FileJobBatch),
        ["fnone"] = typeof(NoWorkNow),
        ["fjob2"] = typeof(FileJob),
        ["fok3"] = typeof(FileJobSucceeded),
        ["ffail3"] = typeof(FileJobFailed),
        ["fprog"] = typeof(FileProgress),
        ["rnow"] = typeof(RunNow),
        ["rbusy"] = typeof(RunAlreadyRunning),
        ["rstart"] = typeof(StartRun),
        ["rgo"] = typeof(RunStarted),
        ["rrep2"] = typeof(RunReport),
        ["rtab"] = typeof(TableLoadReport),
        ["gev1"] = typeof(ConnectionRegistryEvent),
        ["gsn1"] = typeof(ConnectionRegistrySnapshot),
        ["gsave"] = typeof(SaveConnection),
        ["gpaus"] = typeof(PauseConnection),
        ["gresu"] = typeof(ResumeConnection),
        ["grem"] = typeof(RemoveConnection),
        ["gans"] = typeof(RegistryAnswer),
        ["gget"] = typeof(GetConnections),
        ["gall"] = typeof(RegistryContents),
        ["gupd"] = typeof(ConnectionUpdated),
        ["gchg"] = typeof(ConnectionChanged),
        ["nget"] = typeof(NodeActivityProtocol.GetNodeActivity),
        ["nact"] = typeof(NodeActivityProtocol.NodeActivity),
    };

    private static readonly Dictionary<Type, string> ManifestsByType = TypesByManifest.ToDictionary(p => p.Value, p => p.Key);

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => ManifestsByType.TryGetValue(o.GetType(), out var manifest)
        ? manifest
        : throw new ArgumentException($"{o.GetType().Name} has no manifest in {nameof(EngineSerializer)}");

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Json);

    public override object FromBinary(byte[] bytes, string manifest) => TypesByManifest.TryGetValue(manifest, out var type)
        ? JsonSerializer.Deserialize(bytes, type, Json)!
        : throw new SerializationException($"Unknown manifest '{manifest}' for {nameof(EngineSerializer)}");

    /// <summary>The types this serializer knows, for the round-trip test.</summary>
    public static IReadOnlyCollection<Type> KnownTypes => TypesByManifest.Values;
}
