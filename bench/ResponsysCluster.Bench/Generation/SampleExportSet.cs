namespace ResponsysCluster.Bench.Generation;

/// <summary>
/// Two days of a small Responsys Connect drop for demos: a profile list export per day (the second day holds
/// the day's new profiles) and the day's sent, opened, clicked and bounced feeds, each with its ready file.
/// </summary>
internal static class SampleExportSet
{
    private const long AccountId = 74_310;
    private static readonly DateTime FirstDay = new(2018, 10, 1, 0, 0, 0, DateTimeKind.Unspecified);

    public static IReadOnlyList<GeneratedFile> Write(string directory, long rows, ulong seed)
    {
        Directory.CreateDirectory(directory);
        var contacts = new ContactListExport(seed);
        var files = new List<GeneratedFile>();
        long profiles = 0;
        for (var dayNumber = 0; dayNumber < 2; dayNumber++)
        {
            var day = FirstDay.AddDays(dayNumber);
            var newProfiles = dayNumber == 0 ? rows : Math.Max(1, rows / 5);
            var list = ExportFiles.WriteContactList(
                System.IO.Path.Combine(directory, $"{day:yyyyMMdd}_CONTACT_LIST.csv"), newProfiles, null, seed, profiles);
            profiles += newProfiles;
            files.Add(list);

            // A launch to every profile; a quarter open, one in twenty click, one in fifty bounce.
            foreach (var (feed, share) in new[] { (EventFeed.Sent, 1.0), (EventFeed.Opened, 0.25), (EventFeed.Clicked, 0.05), (EventFeed.Bounced, 0.02) })
            {
                var export = new EventFeedExport(feed, AccountId, day, contacts, seed + (ulong)dayNumber);
                files.Add(ExportFiles.WriteEventFeed(directory, export, Math.Max(1, (long)(profiles * share)), profiles));
            }
        }
        foreach (var file in files) ExportFiles.WriteReadyFile(file);
        return files;
    }
}
