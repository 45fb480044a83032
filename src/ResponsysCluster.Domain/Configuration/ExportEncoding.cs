namespace ResponsysCluster.Domain.Configuration;

/// <summary>Text encodings a Responsys export may be written in.</summary>
public enum ExportEncoding
{
    /// <summary>UTF-8, with or without a byte-order mark.</summary>
    Utf8,
    /// <summary>ISO-8859-1.</summary>
    Latin1,
    /// <summary>Windows code page 1252.</summary>
    Windows1252,
    /// <summary>UTF-16 (little or big endian, told by its byte-order mark).</summary>
    Utf16,
}
