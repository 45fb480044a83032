using System.Text;
using System.Text.Json.Nodes;
using ResponsysCluster.Csv;
using ResponsysCluster.Domain.Configuration;
using ResponsysCluster.Domain.Schema;
using ResponsysCluster.Singer.Sync;

namespace ResponsysCluster.Singer.Tests;

public sealed class SingerMessageWriterTests
{
    private static JsonObject WriteFirstRecord(string csv, Dictionary<string, ColumnType> types)
    {
        using var output = new MemoryStream();
        using (var writer = new SingerMessageWriter(output))
        using (var reader = ExportRecordReader.Open(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "/x/f.csv", new CsvFormat(',', ExportEncoding.Utf8)))
        {
            var layout = RecordLayout.For(reader.Header, types, "STREAM \"quoted\"", "/x/f \"1\".csv", "2026-01-01T00:00:00.000000Z");
            Assert.True(reader.Read());
            writer.WriteRecord(layout, reader);
        }
        var line = Encoding.UTF8.GetString(output.ToArray());
        Assert.EndsWith("\n", line);
        return JsonNode.Parse(line)!.AsObject();
    }

    [Fact]
    public void Should_escape_quotes_backslashes_and_control_characters_and_keep_unicode()
    {
        var text = "say \"\"hi\"\" \\ tab\tbell\u0007 é 日本 😀\nnext";
        var message = WriteFirstRecord($"NAME,\"WEIRD \"\"COL\"\"\"\n\"{text}\",x\n", []);
        Assert.Equal("RECORD", message["type"]!.GetValue<string>());
        Assert.Equal("STREAM \"quoted\"", message["stream"]!.GetValue<string>());
        var record = message["record"]!.AsObject();
        Assert.Equal(text.Replace("\"\"", "\""), record["NAME"]!.GetValue<string>());
        Assert.Equal("x", record["WEIRD \"COL\""]!.GetValue<string>());
        Assert.Equal("/x/f \"1\".csv", record["_sdc_source_file"]!.GetValue<string>());
        Assert.Equal(2, record["_sdc_source_lineno"]!.GetValue<int>());
    }

    [Fact]
    public void Should_convert_values_per_type_and_keep_what_does_not_convert()
    {
        var record = WriteFirstRecord(
            "I,N,D,S,X\n0012,1.50,10-SEP-2018 19:27:52.5,007,\n",
            new() { ["I"] = ColumnType.Integer, ["N"] = ColumnType.Number, ["D"] = ColumnType.DateTime, ["S"] = ColumnType.String, ["X"] = ColumnType.Integer })["record"]!;
        Assert.Equal("\"0012\"", record["I"]!.ToJsonString());
        Assert.Equal("1.50", record["N"]!.ToJsonString());
        Assert.Equal("\"10-SEP-2018 19:27:52.5\"", record["D"]!.ToJsonString());
        Assert.Equal("\"007\"", record["S"]!.ToJsonString());
        Assert.Null(record["X"]);

        var converted = WriteFirstRecord("D,I,F\n2018-09-11T09:11:02.123456+02:00,-42,2018-09-11T09:11:02.1234567+02:00\n",
            new() { ["D"] = ColumnType.DateTime, ["I"] = ColumnType.Integer, ["F"] = ColumnType.DateTime })["record"]!;
        Assert.Equal("2018-09-11T07:11:02.123456Z", converted["D"]!.GetValue<string>());
        Assert.Equal("-42", converted["I"]!.ToJsonString());
        // A fraction finer than microseconds is not cut: the value stays the file's text.
        Assert.Equal("2018-09-11T09:11:02.1234567+02:00", converted["F"]!.GetValue<string>());
    }

    [Fact]
    public void Should_put_extra_fields_in_sdc_extra_and_nulls_for_missing_ones()
    {
        var record = WriteFirstRecord("A,B,C\n1,2,3,4,\"5,6\"\n", [])["record"]!;
        Assert.Equal("""["4","5,6"]""", record["_sdc_extra"]!.ToJsonString());
        var shortRecord = WriteFirstRecord("A,B,C\n1\n", [])["record"]!.AsObject();
        Assert.True(shortRecord.ContainsKey("C"));
        Assert.Null(shortRecord["C"]);
        Assert.False(shortRecord.ContainsKey("_sdc_extra"));
    }
}
