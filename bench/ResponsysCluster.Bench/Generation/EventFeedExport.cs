namespace ResponsysCluster.Bench.Generation;

/// <summary>The Responsys Connect event feeds the demo set contains, with Responsys's event type ids.</summary>
internal enum EventFeed
{
    Sent = 1,
    Bounced = 3,
    Opened = 4,
    Clicked = 5,
}

/// <summary>
/// Rows of a Responsys Connect event feed (<c>{account}_SENT_{YYYYMMDD}_{HHMMSS}.txt</c>): comma-delimited,
/// with a header, Oracle-style timestamps, and the RIIDs and customer ids of <see cref="ContactListExport"/>.
/// </summary>
internal sealed class EventFeedExport(EventFeed feed, long accountId, DateTime day, ContactListExport contacts, ulong seed)
{
    private static readonly string[] CommonColumns =
    [
        "EVENT_TYPE_ID", "ACCOUNT_ID", "LIST_ID", "RIID", "CUSTOMER_ID", "EVENT_CAPTURED_DT", "EVENT_STORED_DT",
        "CAMPAIGN_ID", "LAUNCH_ID", "EMAIL_FORMAT",
    ];

    private static readonly (byte[] Name, byte[] Url)[] Offers =
    [
        ("Fall Sale Hero"u8.ToArray(), "https://www.example.com/fall-sale?utm_source=responsys&utm_medium=email"u8.ToArray()),
        ("Shop Boots"u8.ToArray(), "https://www.example.com/c/boots?utm_source=responsys&utm_medium=email&cid=1187"u8.ToArray()),
        ("Free Shipping"u8.ToArray(), "https://www.example.com/shipping?promo=FREESHIP"u8.ToArray()),
        ("View in Browser"u8.ToArray(), "https://email.example.com/pub/cc?_ri_=X0Gzc2X%3DYQpglLjHJlYQGnvn2L"u8.ToArray()),
        ("Unsubscribe"u8.ToArray(), "https://email.example.com/pub/optout/UnsubscribeOneStepConfirmAction"u8.ToArray()),
    ];

    private static readonly (byte[] Type, byte[] Reason, int Code)[] Bounces =
    [
        ("H"u8.ToArray(), "550 5.1.1 <recipient>: Recipient address rejected: User unknown in virtual mailbox table"u8.ToArray(), 10),
        ("H"u8.ToArray(), "550 5.1.1 The email account that you tried to reach does not exist"u8.ToArray(), 10),
        ("S"u8.ToArray(), "452 4.2.2 The email account that you tried to reach is over quota, please retry later"u8.ToArray(), 20),
        ("S"u8.ToArray(), "421 4.7.0 [TS01] Messages from 192.0.2.15 temporarily deferred due to user complaints"u8.ToArray(), 30),
        ("H"u8.ToArray(), "554 5.7.1 Service unavailable; Client host blocked using Spamhaus"u8.ToArray(), 50),
    ];

    public string[] Columns => feed switch
    {
        EventFeed.Clicked => [.. CommonColumns, "OFFER_NAME", "OFFER_NUMBER", "OFFER_CATEGORY", "OFFER_URL"],
        EventFeed.Bounced => [.. CommonColumns, "EMAIL", "EMAIL_ISP", "BOUNCE_TYPE", "REASON", "REASON_CODE"],
        _ => CommonColumns,
    };

    /// <summary>The feed's file name, e.g. <c>12345_SENT_20181001_020000.txt</c>.</summary>
    public string FileName => $"{accountId}_{feed.ToString().ToUpperInvariant()}_{day:yyyyMMdd}_020000.txt";

    public void WriteHeader(CsvOutput output)
    {
        var columns = Columns;
        for (var i = 0; i < columns.Length; i++)
        {
            if (i > 0) output.Comma();
            output.Write(columns[i]);
        }
        output.EndRecord();
    }

    /// <summary>Writes event <paramref name="index"/> about a profile among the first <paramref name="profiles"/> rows.</summary>
    public void WriteRow(CsvOutput output, long index, long profiles)
    {
        var random = new SeededRandom(seed ^ SeededRandom.Mix(((ulong)feed << 40) + (ulong)index));
        var row = random.Next(0, profiles);
        var campaign = random.Next(3);
        var captured = day.AddSeconds(6 * 3600 + index * 40_000L / Math.Max(1, profiles) + random.Next(0, 600));

        output.WriteNumber((int)feed);
        output.Comma();
        output.WriteNumber(accountId);
        output.Comma();
        output.WriteNumber(78_125);
        output.Comma();
        output.WriteNumber(ContactListExport.RiidOf(row));
        output.Comma();
        output.WritePadded(ContactListExport.CustomerIdOf(row), 10);
        output.Comma();
        output.WriteOracleDateTime(captured);
        output.Comma();
        output.WriteOracleDateTime(captured.AddSeconds(random.Next(5, 900)));
        output.Comma();
        output.WriteNumber(2_330_401 + campaign);
        output.Comma();
        output.WriteNumber(81_022_655 + campaign * 17 + day.Day);
        output.Comma();
        output.Write(random.Percent(90) ? (byte)'H' : (byte)'T');

        if (feed == EventFeed.Clicked)
        {
            var offer = random.Next(Offers.Length);
            output.Comma();
            output.Write(Offers[offer].Name);
            output.Comma();
            output.WriteNumber(offer + 1);
            output.Comma();
            output.Write(offer < 3 ? "Promotion"u8 : "System"u8);
            output.Comma();
            output.Write(Offers[offer].Url);
        }
        else if (feed == EventFeed.Bounced)
        {
            var bounce = Bounces[random.Next(Bounces.Length)];
            var domain = contacts.EmailDomainOf(row);
            output.Comma();
            contacts.WriteEmailOf(output, row);
            output.Comma();
            output.Write(domain.AsSpan(0, domain.AsSpan().IndexOf((byte)'.')));
            output.Comma();
            output.Write(bounce.Type);
            output.Comma();
            output.WriteQuoted(bounce.Reason);
            output.Comma();
            output.WriteNumber(bounce.Code);
        }
        output.EndRecord();
    }
}
