using System.Text;

namespace ResponsysCluster.Bench.Generation;

/// <summary>A name as shown, and the ASCII form it takes in an email address.</summary>
internal sealed record PersonName(byte[] Display, byte[] EmailForm);

/// <summary>A US city with its state and the first three digits of its ZIP codes.</summary>
internal sealed record UsPlace(byte[] City, byte[] State, int ZipPrefix);

/// <summary>
/// The value pools of generated profile data, as UTF-8 bytes prepared once. A few names carry accents and
/// apostrophes, a quarter of the places are in New England and New Jersey, whose ZIP codes start with 0.
/// </summary>
internal static class ProfileValues
{
    public static readonly PersonName[] FirstNames = Names(
        "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William", "Elizabeth",
        "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
        "Christopher", "Nancy", "Daniel", "Lisa", "Matthew", "Betty", "Anthony", "Margaret", "Mark", "Sandra",
        "Donald", "Ashley", "Steven", "Kimberly", "Paul", "Emily", "Andrew", "Donna", "Joshua", "Michelle",
        "Kenneth", "Carol", "Kevin", "Amanda", "Brian", "Melissa", "George", "Deborah", "Timothy", "Stephanie",
        "José", "María", "Zoë", "Renée", "André", "Chloé", "Søren", "Björn", "Nguyễn", "Mei", "Priya", "Aarav");

    public static readonly PersonName[] LastNames = Names(
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
        "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
        "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
        "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
        "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
        "O'Brien", "O'Connor", "D'Angelo", "Müller", "Núñez", "Peña", "Schröder", "Van der Berg", "McAllister", "Kowalski");

    public static readonly byte[][] EmailDomains = Utf8(
        "gmail.com", "gmail.com", "gmail.com", "gmail.com", "yahoo.com", "yahoo.com", "hotmail.com", "outlook.com",
        "aol.com", "icloud.com", "comcast.net", "verizon.net", "att.net", "msn.com", "me.com", "live.com",
        "sbcglobal.net", "cox.net", "charter.net", "example.org");

    public static readonly UsPlace[] Places =
    [
        Place("Orange", "NJ", 70), Place("Newark", "NJ", 71), Place("Jersey City", "NJ", 73), Place("Trenton", "NJ", 86),
        Place("Boston", "MA", 21), Place("Cambridge", "MA", 21), Place("Worcester", "MA", 16), Place("Springfield", "MA", 11),
        Place("Hartford", "CT", 61), Place("New Haven", "CT", 65), Place("Providence", "RI", 29), Place("Portland", "ME", 41),
        Place("Manchester", "NH", 31), Place("Burlington", "VT", 54), Place("San Juan", "PR", 9),
        Place("New York", "NY", 100), Place("Brooklyn", "NY", 112), Place("Buffalo", "NY", 142), Place("Philadelphia", "PA", 191),
        Place("Pittsburgh", "PA", 152), Place("Baltimore", "MD", 212), Place("Washington", "DC", 200), Place("Richmond", "VA", 232),
        Place("Charlotte", "NC", 282), Place("Atlanta", "GA", 303), Place("Miami", "FL", 331), Place("Orlando", "FL", 328),
        Place("Tampa", "FL", 336), Place("Nashville", "TN", 372), Place("Louisville", "KY", 402), Place("Columbus", "OH", 432),
        Place("Cleveland", "OH", 441), Place("Detroit", "MI", 482), Place("Chicago", "IL", 606), Place("Milwaukee", "WI", 532),
        Place("Minneapolis", "MN", 554), Place("St. Louis", "MO", 631), Place("Kansas City", "MO", 641), Place("Omaha", "NE", 681),
        Place("New Orleans", "LA", 701), Place("Houston", "TX", 770), Place("Dallas", "TX", 752), Place("Austin", "TX", 787),
        Place("San Antonio", "TX", 782), Place("Denver", "CO", 802), Place("Salt Lake City", "UT", 841), Place("Phoenix", "AZ", 850),
        Place("Las Vegas", "NV", 891), Place("Los Angeles", "CA", 900), Place("San Diego", "CA", 921), Place("San Francisco", "CA", 941),
        Place("San José", "CA", 951), Place("Sacramento", "CA", 958), Place("Portland", "OR", 972), Place("Seattle", "WA", 981),
        Place("Anchorage", "AK", 995), Place("Honolulu", "HI", 968), Place("Coeur d'Alene", "ID", 838),
    ];

    public static readonly byte[][] StreetNames = Utf8(
        "Main", "Oak", "Maple", "Cedar", "Pine", "Elm", "Washington", "Lake", "Hill", "Park", "Sunset", "Lincoln",
        "Jackson", "Church", "Highland", "Ridge", "Meadow", "Forest", "River", "Spring", "Valley", "Willow", "Chestnut", "Walnut");

    public static readonly byte[][] StreetSuffixes = Utf8("St", "Ave", "Rd", "Blvd", "Ln", "Dr", "Ct", "Way", "Pl", "Ter");

    public static readonly byte[][] AreaCodes = Utf8(
        "201", "212", "213", "305", "312", "404", "415", "469", "512", "617", "646", "702", "713", "718", "773", "801",
        "818", "857", "862", "908", "917", "973");

    /// <summary>Network prefixes of sign-up addresses: the ranges reserved for documentation (RFC 5737).</summary>
    public static readonly byte[][] SourceNetworks = Utf8("192.0.2.", "198.51.100.", "203.0.113.");

    /// <summary>Free text a store associate or an import left in the profile; no comma, no quote.</summary>
    public static readonly byte[][] PlainNotes = Utf8(
        "VIP customer", "prefers weekend emails", "store signup", "migrated from legacy CRM",
        "requested catalog by mail", "loyalty tier gold", "loyalty tier silver", "opted in at checkout",
        "birthday club member", "called customer service about an order", "referred by a friend");

    /// <summary>Words of a long free-text note (<c>--notes-bytes</c>): printable ASCII, no comma, no quote.</summary>
    public static readonly byte[][] LongNoteWords = Utf8(
        "customer", "called", "about", "the", "order", "shipped", "late", "refund", "issued", "store", "credit",
        "prefers", "email", "over", "phone", "asked", "for", "catalog", "loyalty", "tier", "upgraded", "gold",
        "returned", "item", "size", "color", "navy", "follow", "up", "in", "days", "address", "changed", "moved",
        "to", "new", "city", "coupon", "applied", "at", "checkout", "complaint", "resolved", "by", "agent",
        "survey", "answered", "satisfied", "with", "service", "birthday", "offer", "sent", "and", "opened");

    /// <summary>Text that needs quoting: commas, quotes, or a line break inside the field.</summary>
    public static readonly byte[][] QuotedNotes = Utf8(
        "Prefers SMS, not email",
        "Returned item #4471, refund issued, follow up in 30 days",
        "Size M, color navy, ships to work address",
        "Interested in running, hiking, and yoga gear",
        "Said \"please stop calling\" on 2018-08-14",
        "Nickname \"Bobby\", uses the store in Newark",
        "Gift wrap requested; note reads \"Happy 40th, Dave!\"",
        "Address changed by phone.\nOld address kept on file",
        "Line 1: VIP since 2014\nLine 2: no paper catalogs, please");

    private static PersonName[] Names(params string[] names) =>
        [.. names.Select(n => new PersonName(Encoding.UTF8.GetBytes(n), Encoding.ASCII.GetBytes(EmailForm(n))))];

    private static byte[][] Utf8(params string[] values) => [.. values.Select(Encoding.UTF8.GetBytes)];

    private static UsPlace Place(string city, string state, int zipPrefix) =>
        new(Encoding.UTF8.GetBytes(city), Encoding.UTF8.GetBytes(state), zipPrefix);

    // Invariant globalization has no Unicode decomposition, so accents are folded with a small table.
    private const string Accented = "áàâäãåéèêëễíìîïóòôöõøúùûüñçý";
    private const string Folded = "aaaaaaeeeeeiiiioooooouuuuncy";

    /// <summary>Lower case, accents folded, only letters kept: "O'Brien" → "obrien", "Núñez" → "nunez".</summary>
    private static string EmailForm(string name)
    {
        var text = new StringBuilder();
        foreach (var c in name.ToLowerInvariant())
        {
            if (char.IsAsciiLetter(c)) text.Append(c);
            else if (Accented.IndexOf(c) is >= 0 and var i) text.Append(Folded[i]);
        }
        return text.ToString();
    }
}
