using ResponsysCluster.Domain.Configuration;

namespace ResponsysCluster.Csv;

/// <summary>How an export's text is laid out: field delimiter and text encoding.</summary>
public sealed record CsvFormat(char Delimiter, ExportEncoding Encoding)
{
    public static CsvFormat Of(ConnectionConfig config) => new(config.Delimiter, config.Encoding);

    /// <summary>
    /// When set, a NUL character (U+0000, the byte 0x00 in single-byte encodings and UTF-8) anywhere in the file
    /// fails it with an <see cref="Domain.Files.ExportFileException"/> naming the line, record, column and the NUL's
    /// byte offset in the file. PostgreSQL text cannot hold a NUL, so the loader sets this; the tap does not (JSON
    /// can hold one).
    /// </summary>
    public bool RejectNul { get; init; }
}
