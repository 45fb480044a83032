namespace ResponsysCluster.Domain.Schema;

/// <summary>
/// Builds a table's columns from the sampled records of several files. Columns keep the order in which the
/// headers first name them; a column seen in one file only is still a column.
/// </summary>
public sealed class TableSchemaInference
{
    private readonly List<string> order = [];
    private readonly Dictionary<string, ColumnTypeInference> columns = new(StringComparer.Ordinal);

    /// <summary>Registers a file's header; returns the inference of each header column, by position.</summary>
    public IReadOnlyList<ColumnTypeInference> AddHeader(IReadOnlyList<string> header)
    {
        var byPosition = new ColumnTypeInference[header.Count];
        for (var i = 0; i < header.Count; i++)
        {
            if (!columns.TryGetValue(header[i], out var inference))
            {
                columns[header[i]] = inference = new ColumnTypeInference();
                order.Add(header[i]);
            }
            byPosition[i] = inference;
        }
        return byPosition;
    }

    public IReadOnlyList<Column> Columns => order.Select(name => new Column(name, columns[name].Result)).ToList();
}
