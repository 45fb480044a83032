using System.Text.Json.Nodes;
using Json.Schema;
using ResponsysCluster.TestServers;

namespace ResponsysCluster.Singer.Tests;

[Collection(SftpCollection.Name)]
public sealed class DiscoverAndSyncTests(SftpServer server)
{
    private static readonly DateTimeOffset Day1 = new(2018, 9, 11, 9, 11, 2, TimeSpan.Zero);
    private static readonly DateTimeOffset Day2 = Day1.AddDays(1);

    private const string ContactsDay1 =
        "RIID_,EMAIL_ADDRESS_,POSTAL_CODE_,LTV,CREATED_DATE_,LAST_SEEN,NOTES\n" +
        "1001,ann@example.com,07050,12.50,2018-09-11 09:11:02,10-SEP-2018 19:27:52,plain\n" +
        "1002,bob@example.com,10001,3,2018-09-10T08:00:00Z,01-JAN-2018 00:00:00,\"quoted, with comma\"\n" +
        "1003,cy@example.com,02134,,,,\"two\nlines\"\n" +
        "1004,dee@example.com,94105,7.25,2018-09-11 10:00:00,11-SEP-2018 01:02:03,extra,field1,field2\n" +
        "1005,eve@example.com\n";

    private const string ContactsDay2 =
        "RIID_,EMAIL_ADDRESS_,POSTAL_CODE_,LTV,CREATED_DATE_,LAST_SEEN,NOTES,CITY_\n" +
        "99999999999999999999999,fay@example.com,00501,1e3,2018-09-12 00:00:00,12-SEP-2018 00:00:00,,Holtsville\n";

    private ExportDirectory CreateExports()
    {
        var exports = server.CreateExportDirectory();
        exports.Write("20180911_CONTACT_LIST.csv", ContactsDay1, Day1);
        exports.WriteReady("20180911_CONTACT_LIST.csv", "5", Day1);
        exports.Write("20180912_CONTACT_LIST.csv", ContactsDay2, Day2);
        exports.WriteReady("20180912_CONTACT_LIST.csv", "2", Day2); // counted with the header row
        exports.Write("20180911_LIST.csv", "ID\n1\n2\n", Day1);
        exports.WriteReady("20180911_LIST.csv", "", Day1);
        exports.Write("1234_CLICK_20190103_130532.txt", "RIID,OFFER_URL\n1,https://example.com/a\n", Day2);
        exports.Write("1234_CLICK_20190103_130532.txt.ready", "1", Day2);
        exports.Write("notes.wav", "not an export", Day1);
        return exports;
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_discover_each_table_with_inferred_types_and_singer_metadata()
    {
        var harness = new TapHarness(server, CreateExports());
        var run = await harness.DiscoverAsync();
        Assert.True(run.ExitCode == 0, run.Log);

        var streams = run.Catalog["streams"]!.AsArray().OfType<JsonObject>().ToDictionary(s => s["tap_stream_id"]!.GetValue<string>());
        Assert.Equal(["1234_CLICK", "CONTACT_LIST", "LIST"], streams.Keys.Order());

        var properties = streams["CONTACT_LIST"]["schema"]!["properties"]!.AsObject();
        // Day 2's 23-digit RIID_ is more than a 64-bit integer holds: the column is a number, as the engine's would be.
        Assert.Equal("""{"type":["null","number","string"]}""", properties["RIID_"]!.ToJsonString());
        Assert.Equal("""{"type":["null","string"]}""", properties["POSTAL_CODE_"]!.ToJsonString());
        Assert.Equal("""{"type":["null","number","string"]}""", properties["LTV"]!.ToJsonString());
        Assert.Equal("""{"anyOf":[{"type":["null","string"],"format":"date-time"},{"type":["null","string"]}]}""", properties["CREATED_DATE_"]!.ToJsonString());
        Assert.Equal("""{"anyOf":[{"type":["null","string"],"format":"date-time"},{"type":["null","string"]}]}""", properties["LAST_SEEN"]!.ToJsonString());
        Assert.Equal("""{"type":["null","string"]}""", properties["NOTES"]!.ToJsonString());
        Assert.Equal("""{"type":["null","string"]}""", properties["CITY_"]!.ToJsonString());
        Assert.Equal("""{"type":"string"}""", properties["_sdc_source_file"]!.ToJsonString());
        Assert.Equal("""{"type":"integer"}""", properties["_sdc_source_lineno"]!.ToJsonString());
        Assert.Equal("""{"type":"array","items":{"type":"string"}}""", properties["_sdc_extra"]!.ToJsonString());

        var metadata = streams["CONTACT_LIST"]["metadata"]!.AsArray().OfType<JsonObject>().ToList();
        var top = metadata.Single(m => m["breadcrumb"]!.AsArray().Count == 0);
        Assert.Equal("""["_sdc_source_file","_sdc_source_lineno"]""", top["metadata"]!["table-key-properties"]!.ToJsonString());
        var propertyEntries = metadata.Where(m => m["breadcrumb"]!.AsArray().Count == 2).ToList();
        Assert.Equal(properties.Count, propertyEntries.Count);
        Assert.All(propertyEntries, m => Assert.Equal("automatic", m["metadata"]!["inclusion"]!.GetValue<string>()));
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_emit_every_row_converted_per_schema_and_valid_against_it()
    {
        var exports = CreateExports();
        var harness = new TapHarness(server, exports);
        var catalog = await harness.SelectedCatalogAsync("CONTACT_LIST", "LIST");
        var run = await harness.SyncAsync(catalog);
        Assert.True(run.ExitCode == 0, run.Log);

        var schemas = run.Messages.Where(m => m["type"]!.GetValue<string>() == "SCHEMA").ToList();
        Assert.Equal(["CONTACT_LIST", "LIST"], schemas.Select(s => s["stream"]!.GetValue<string>()));
        Assert.Equal("""["_sdc_source_file","_sdc_source_lineno"]""", schemas[0]["key_properties"]!.ToJsonString());
        Assert.Empty(run.Records("1234_CLICK"));

        var contacts = run.Records("CONTACT_LIST");
        Assert.Equal(6, contacts.Count);
        var file1 = exports.Path + "/20180911_CONTACT_LIST.csv";
        var file2 = exports.Path + "/20180912_CONTACT_LIST.csv";

        Assert.Equal(
            $$"""{"RIID_":1001,"EMAIL_ADDRESS_":"ann@example.com","POSTAL_CODE_":"07050","LTV":12.50,"CREATED_DATE_":"2018-09-11T09:11:02.000000Z","LAST_SEEN":"2018-09-10T19:27:52.000000Z","NOTES":"plain","_sdc_source_file":"{{file1}}","_sdc_source_lineno":2}""",
            contacts[0].ToJsonString());
        Assert.Equal("2018-09-10T08:00:00.000000Z", contacts[1]["CREATED_DATE_"]!.GetValue<string>());
        Assert.Equal("quoted, with comma", contacts[1]["NOTES"]!.GetValue<string>());
        Assert.Null(contacts[2]["LTV"]);
        Assert.True(contacts[2].ContainsKey("LTV"));
        Assert.Equal("two\nlines", contacts[2]["NOTES"]!.GetValue<string>());
        Assert.Equal(4, contacts[2]["_sdc_source_lineno"]!.GetValue<int>());
        Assert.Equal("""["field1","field2"]""", contacts[3]["_sdc_extra"]!.ToJsonString());
        Assert.Equal(5, contacts[3]["_sdc_source_lineno"]!.GetValue<int>());
        Assert.Null(contacts[4]["POSTAL_CODE_"]);
        Assert.Null(contacts[4]["NOTES"]);
        Assert.Equal(6, contacts[4]["_sdc_source_lineno"]!.GetValue<int>());

        // The second file: a 23-digit id keeps every digit, a column outside the sample is still emitted.
        Assert.Contains("\"RIID_\":99999999999999999999999,", contacts[5].ToJsonString());
        Assert.Equal("00501", contacts[5]["POSTAL_CODE_"]!.GetValue<string>());
        Assert.Equal("Holtsville", contacts[5]["CITY_"]!.GetValue<string>());
        Assert.Equal(file2, contacts[5]["_sdc_source_file"]!.GetValue<string>());

        Assert.Equal(2, run.Records("LIST").Count);
        Assert.Equal([exports.Path + "/20180911_LIST.csv"], run.SourceFiles("LIST"));

        var schemaByStream = schemas.ToDictionary(s => s["stream"]!.GetValue<string>(), s => JsonSchema.FromText(s["schema"]!.ToJsonString()));
        var options = new EvaluationOptions { RequireFormatValidation = true, OutputFormat = OutputFormat.List };
        foreach (var message in run.AllRecords)
        {
            var result = schemaByStream[message["stream"]!.GetValue<string>()].Evaluate(System.Text.Json.JsonDocument.Parse(message["record"]!.ToJsonString()).RootElement, options);
            Assert.True(result.IsValid, message.ToJsonString());
        }

        var bookmarks = run.FinalState["bookmarks"]!;
        Assert.Equal("2018-09-12T09:11:02Z", bookmarks["CONTACT_LIST"]!["modified_since"]!.GetValue<string>());
        Assert.Equal("2018-09-11T09:11:02Z", bookmarks["LIST"]!["modified_since"]!.GetValue<string>());
        Assert.Contains("the ready file's count 2 matches the records with the header row", run.Log);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_write_state_after_each_file_and_emit_nothing_again_with_it()
    {
        var harness = new TapHarness(server, CreateExports());
        var catalog = await harness.SelectedCatalogAsync("CONTACT_LIST");
        var first = await harness.SyncAsync(catalog);
        Assert.True(first.ExitCode == 0, first.Log);

        var messageTypes = first.Messages.Select(m => m["type"]!.GetValue<string>()).ToList();
        var firstFileState = messageTypes.IndexOf("STATE", 2);
        Assert.Equal("RECORD", messageTypes[firstFileState - 1]);
        Assert.Equal("STATE", messageTypes[^1]);
        Assert.Equal(3, first.States.Count); // before the stream, after each of its two files

        var second = await harness.SyncAsync(catalog, first.FinalState);
        Assert.True(second.ExitCode == 0, second.Log);
        Assert.Empty(second.AllRecords);
        Assert.Equal(first.FinalState.ToJsonString(), second.FinalState.ToJsonString());
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_read_a_touched_file_again_as_a_new_version()
    {
        var exports = CreateExports();
        var harness = new TapHarness(server, exports);
        var catalog = await harness.SelectedCatalogAsync("LIST");
        var first = await harness.SyncAsync(catalog);
        exports.SetModified("20180911_LIST.csv", Day2.AddHours(1));

        var second = await harness.SyncAsync(catalog, first.FinalState);
        Assert.True(second.ExitCode == 0, second.Log);
        Assert.Equal(2, second.Records("LIST").Count);
    }

    [Fact(Timeout = Timeouts.EndToEnd)]
    public async Task Should_fail_discovery_without_ready_files_and_explain_why()
    {
        var exports = server.CreateExportDirectory();
        exports.Write("20180911_CONTACT_LIST.csv", ContactsDay1, Day1);
        var run = await new TapHarness(server, exports).DiscoverAsync();
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("'*.ready' file", run.Log);
        Assert.Contains("CONTACT_LIST", run.Log);
        Assert.Equal("", run.Stdout);
    }
}
