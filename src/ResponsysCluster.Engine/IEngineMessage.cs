namespace ResponsysCluster.Engine;

/// <summary>
/// Marks everything that may cross nodes or go into the journal: bound to <see cref="Serialization.EngineSerializer"/>,
/// never to a default serializer.
/// </summary>
public interface IEngineMessage;
