using ResponsysCluster.Domain.Configuration;

namespace ResponsysCluster.Csv;

/// <summary>How an export's text is laid out: field delimiter and text encoding.</summary>
public sealed record CsvFormat(char Delimiter, ExportEncoding Encoding)
{
    public static CsvFormat Of(ConnectionConfig config) => new(config.Delimiter, config.Encoding);
}
