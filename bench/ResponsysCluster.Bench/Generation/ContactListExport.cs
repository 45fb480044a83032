namespace ResponsysCluster.Bench.Generation;

/// <summary>
/// Rows of a Responsys profile list export (<c>YYYYMMDD_CONTACT_LIST.csv</c>): system columns with a trailing
/// underscore, a few custom ones, about 225 bytes a row. Everything derives from the seed and the row number,
/// so a seed always gives the same file and other feeds can refer to the same RIIDs and customer ids.
/// With <paramref name="longNotesBytes"/> above 0 each row ends with one more column, <c>LONG_NOTES</c>, of
/// exactly that many printable ASCII characters (words and spaces, never quoted), for loads of wide rows; its
/// draws come from a random stream of their own, so the other columns keep their bytes.
/// </summary>
internal sealed class ContactListExport(ulong seed, int longNotesBytes = 0)
{
    /// <summary>The column <c>--notes-bytes</c> appends (the export already has a <c>NOTES</c> column).</summary>
    public const string LongNotesColumn = "LONG_NOTES";

    // Salt of the long notes' random stream, apart from the one of the row's other values.
    private const ulong LongNotesSalt = 0x4E4F544553UL;

    public static readonly string[] Columns =
    [
        "RIID_", "EMAIL_ADDRESS_", "EMAIL_DOMAIN_", "CUSTOMER_ID_", "FIRST_NAME", "LAST_NAME", "POSTAL_STREET_1_",
        "POSTAL_STREET_2_", "CITY_", "STATE_", "POSTAL_CODE_", "COUNTRY_", "MOBILE_NUMBER_", "MOBILE_COUNTRY_",
        "CREATED_SOURCE_IP_", "EMAIL_PERMISSION_STATUS_", "EMAIL_FORMAT_",
        "EMAIL_DELIVERABILITY_STATUS_", "LIFETIME_VALUE", "CREATED_DATE_", "MODIFIED_DATE_", "LAST_PURCHASE", "NOTES",
    ];

    private static readonly DateTime FirstCreated = new(2012, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
    private static readonly DateTime ExportTime = new(2018, 9, 30, 23, 0, 0, DateTimeKind.Unspecified);
    private static readonly long CreatedRangeSeconds = (long)(new DateTime(2018, 9, 1) - FirstCreated).TotalSeconds;

    /// <summary>The RIID of row <paramref name="row"/>: increasing, with gaps as deleted profiles leave them.</summary>
    public static long RiidOf(long row) => 10_000_001 + row * 3 + (long)(SeededRandom.Mix((ulong)row) % 3);

    /// <summary>The customer id of row <paramref name="row"/>: ten digits with leading zeros, text in every system.</summary>
    public static long CustomerIdOf(long row) => 1_000_000 + row * 7 + (long)(SeededRandom.Mix((ulong)row ^ 0xC0FFEE) % 7);

    public void WriteHeader(CsvOutput output)
    {
        for (var i = 0; i < Columns.Length; i++)
        {
            if (i > 0) output.Comma();
            output.Write(Columns[i]);
        }
        if (longNotesBytes > 0)
        {
            output.Comma();
            output.Write(LongNotesColumn);
        }
        output.EndRecord();
    }

    /// <summary>Writes row <paramref name="row"/> (0-based), the same bytes for the same seed and row.</summary>
    public void WriteRow(CsvOutput output, long row)
    {
        var random = RandomFor(row);
        var (first, last, domain) = DrawIdentity(ref random);

        output.WriteNumber(RiidOf(row));
        output.Comma();
        WriteEmail(output, first, last, domain, ref random);
        output.Comma();
        var place = random.Pick(ProfileValues.Places);
        output.Write(domain);
        output.Comma();
        output.WritePadded(CustomerIdOf(row), 10);
        output.Comma();
        output.Write(first.Display);
        output.Comma();
        output.Write(last.Display);
        output.Comma();
        output.WriteNumber(random.Next(1, 9_999));
        output.Write((byte)' ');
        output.Write(random.Pick(ProfileValues.StreetNames));
        output.Write((byte)' ');
        output.Write(random.Pick(ProfileValues.StreetSuffixes));
        output.Comma();
        if (random.Percent(15))
        {
            output.Write(random.Percent(50) ? "Apt "u8 : "Unit "u8);
            output.WriteNumber(random.Next(1, 40));
            output.Write((byte)('A' + random.Next(6)));
        }
        output.Comma();
        output.Write(place.City);
        output.Comma();
        output.Write(place.State);
        output.Comma();
        output.WritePadded(place.ZipPrefix * 100 + random.Next(100), 5);
        output.Comma();
        output.Write("US"u8);
        output.Comma();
        var hasMobile = random.Percent(75);
        if (hasMobile)
        {
            output.Write((byte)'1');
            output.Write(random.Pick(ProfileValues.AreaCodes));
            output.WritePadded(random.Next(2_000_000, 10_000_000), 7);
        }
        output.Comma();
        if (hasMobile) output.Write("US"u8);
        output.Comma();
        // The address the sign-up form was posted from (documentation ranges only).
        output.Write(random.Pick(ProfileValues.SourceNetworks));
        output.WriteNumber(random.Next(1, 255));
        output.Comma();
        output.Write(random.Percent(85) ? (byte)'I' : (byte)'O');
        output.Comma();
        output.Write(random.Percent(90) ? (byte)'H' : (byte)'T');
        output.Comma();
        output.Write(random.Percent(96) ? (byte)'D' : (byte)'U');
        output.Comma();
        // Most customers spent little, a few a lot; a fifth never bought.
        var bought = random.Percent(80);
        if (bought)
        {
            var scale = random.Percent(90) ? 50_000 : 2_000_000;
            output.WriteCents(random.Next(99, scale));
        }
        else
        {
            output.Write("0.00"u8);
        }
        output.Comma();

        var created = FirstCreated.AddSeconds(random.Next(0, CreatedRangeSeconds));
        var modified = created.AddSeconds(random.Next(0, (long)(ExportTime - created).TotalSeconds));
        output.WriteIsoDateTime(created);
        output.Comma();
        output.WriteIsoDateTime(modified);
        output.Comma();
        if (bought) output.WriteOracleDateTime(created.AddSeconds(random.Next(0, (long)(ExportTime - created).TotalSeconds)));
        output.Comma();
        WriteNotes(output, ref random);
        if (longNotesBytes > 0)
        {
            output.Comma();
            WriteLongNotes(output, row);
        }
        output.EndRecord();
    }

    /// <summary>Writes the email address of row <paramref name="row"/>, as its contact list row has it.</summary>
    public void WriteEmailOf(CsvOutput output, long row)
    {
        var random = RandomFor(row);
        var (first, last, domain) = DrawIdentity(ref random);
        WriteEmail(output, first, last, domain, ref random);
    }

    /// <summary>The email domain of row <paramref name="row"/>.</summary>
    public byte[] EmailDomainOf(long row)
    {
        var random = RandomFor(row);
        return DrawIdentity(ref random).Domain;
    }

    private SeededRandom RandomFor(long row) => new(seed ^ SeededRandom.Mix((ulong)row + 1));

    // The first draws of every row, in a fixed order, so that other feeds can recompute a row's address.
    private static (PersonName First, PersonName Last, byte[] Domain) DrawIdentity(ref SeededRandom random) =>
        (random.Pick(ProfileValues.FirstNames), random.Pick(ProfileValues.LastNames), random.Pick(ProfileValues.EmailDomains));

    private static void WriteEmail(CsvOutput output, PersonName first, PersonName last, byte[] domain, ref SeededRandom random)
    {
        output.Write(first.EmailForm);
        output.Write((byte)'.');
        output.Write(last.EmailForm);
        if (random.Percent(70)) output.WriteNumber(random.Next(1, 10_000));
        output.Write((byte)'@');
        output.Write(domain);
    }

    // Words of the plain notes joined by spaces, the last one cut to end at exactly longNotesBytes bytes.
    private void WriteLongNotes(CsvOutput output, long row)
    {
        var random = new SeededRandom(seed ^ LongNotesSalt ^ SeededRandom.Mix((ulong)row + 1));
        var left = longNotesBytes;
        while (left > 0)
        {
            if (left < longNotesBytes)
            {
                output.Write((byte)' ');
                if (--left == 0) break;
            }
            var word = random.Pick(ProfileValues.LongNoteWords);
            var take = Math.Min(word.Length, left);
            output.Write(word.AsSpan(0, take));
            left -= take;
        }
    }

    private static void WriteNotes(CsvOutput output, ref SeededRandom random)
    {
        var kind = random.Next(100);
        if (kind < 35) return;
        if (kind < 80)
        {
            output.Write(random.Pick(ProfileValues.PlainNotes));
            return;
        }
        if (kind < 85)
        {
            // Two plain notes joined by a comma: quoted.
            output.Write((byte)'"');
            output.Write(random.Pick(ProfileValues.PlainNotes));
            output.Write(", "u8);
            output.Write(random.Pick(ProfileValues.PlainNotes));
            output.Write((byte)'"');
            return;
        }
        var note = random.Pick(ProfileValues.QuotedNotes);
        // Embedded line breaks stay rare, as in real exports: most rows that drew one get a plain note instead.
        if (note.AsSpan().Contains((byte)'\n') && !random.Percent(20))
        {
            output.Write(random.Pick(ProfileValues.PlainNotes));
            return;
        }
        output.WriteQuoted(note);
    }
}
