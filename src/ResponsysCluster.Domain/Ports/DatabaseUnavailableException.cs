namespace ResponsysCluster.Domain.Ports;

/// <summary>The database could not be used (refused, dropped, restarting): the file or step in hand fails, a later run retries.</summary>
public class DatabaseUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
