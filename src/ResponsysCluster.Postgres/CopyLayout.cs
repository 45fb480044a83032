using System.Buffers;
using System.Text.Json;
using ResponsysCluster.Csv;
using ResponsysCluster.Postgres.Copy;

namespace ResponsysCluster.Postgres;

/// <summary>
/// The fields of one COPY row for a file's header: the header's columns that are columns of the table, the five
/// system columns, and, when the header has columns kept in <c>_sdc_overflow</c>, that object of their non-empty
/// values by Responsys name (as the file writes them).
/// </summary>
internal sealed class CopyLayout
{
    private const int SystemValues = 5;
    private readonly (int Ordinal, string Key)[] overflow;
    private readonly ArrayBufferWriter<byte> json = new();
    private readonly Utf8JsonWriter writer;

    public CopyLayout(TargetColumn[] columns)
    {
        Typed = columns.Where(c => !c.InOverflow).ToList();
        overflow = columns.Select((c, i) => (c, i)).Where(x => x.c.InOverflow).Select(x => (x.i, x.c.Name)).ToArray();
        writer = new Utf8JsonWriter(json);
        Fields = Typed.Count + SystemValues + (HasOverflow ? 1 : 0);
    }

    /// <summary>The table's own columns among the header's, in header order.</summary>
    public IReadOnlyList<TargetColumn> Typed { get; }

    public bool HasOverflow => overflow.Length > 0;

    /// <summary>Fields in each row.</summary>
    public int Fields { get; }

    public void WriteOverflow(BinaryCopyWriter copy, ExportRecordReader reader)
    {
        json.ResetWrittenCount();
        writer.Reset();
        writer.WriteStartObject();
        foreach (var (ordinal, key) in overflow)
        {
            if (ordinal >= reader.FieldCount || reader.Field(ordinal).IsEmpty) continue;
            writer.WriteString(key, reader.Field(ordinal));
        }
        writer.WriteEndObject();
        writer.Flush();
        copy.WriteJsonb(json.WrittenSpan);
    }
}
