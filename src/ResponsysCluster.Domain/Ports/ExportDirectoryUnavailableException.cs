namespace ResponsysCluster.Domain.Ports;

/// <summary>The export directory could not be reached, logged into or listed: the whole run stops, nothing is bookmarked.</summary>
public class ExportDirectoryUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
