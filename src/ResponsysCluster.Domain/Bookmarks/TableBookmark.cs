using System.Collections.Immutable;
using ResponsysCluster.Domain.Files;

namespace ResponsysCluster.Domain.Bookmarks;

/// <summary>
/// Which file versions of one table are done. Every version with mtime below <see cref="Watermark"/> is done;
/// at the watermark, the paths in <see cref="DoneAtWatermark"/> are (or all of them, for a state written by
/// tap-responsys, which kept only the timestamp); above it, the versions in <see cref="DoneAbove"/>.
/// The watermark never passes a version that is still to do, so no file is skipped and none is read twice.
/// </summary>
public sealed record TableBookmark
{
    /// <summary>Exclusive lower bound on pending mtimes (except for paths not done at it); null: nothing done yet.</summary>
    public DateTimeOffset? Watermark { get; private init; }

    /// <summary>Set when state from tap-responsys gave a timestamp without the paths done at it.</summary>
    public bool AllDoneAtWatermark { get; private init; }

    public ImmutableHashSet<string> DoneAtWatermark { get; private init; } = ImmutableHashSet<string>.Empty.WithComparer(StringComparer.Ordinal);

    public ImmutableHashSet<DoneVersion> DoneAbove { get; private init; } = ImmutableHashSet<DoneVersion>.Empty;

    /// <summary>The first sync: versions modified at or after <paramref name="startDate"/> are pending (all when null).</summary>
    public static TableBookmark Start(DateTimeOffset? startDate) => new() { Watermark = startDate };

    /// <summary>
    /// A bookmark from state: a watermark, and the versions known done at or above it. Null versions, or
    /// <paramref name="allDoneAtWatermark"/>, mean every version at the watermark is done (tap-responsys's reading).
    /// </summary>
    public static TableBookmark Restore(DateTimeOffset watermark, IEnumerable<DoneVersion>? doneAtOrAbove, bool allDoneAtWatermark = false)
    {
        if (doneAtOrAbove is null) return new TableBookmark { Watermark = watermark, AllDoneAtWatermark = true };
        var done = doneAtOrAbove.Where(d => d.Modified >= watermark).ToList();
        return new TableBookmark
        {
            Watermark = watermark,
            AllDoneAtWatermark = allDoneAtWatermark,
            DoneAtWatermark = done.Where(d => d.Modified == watermark).Select(d => d.Path).ToImmutableHashSet(StringComparer.Ordinal),
            DoneAbove = done.Where(d => d.Modified > watermark).ToImmutableHashSet(),
        };
    }

    /// <summary>
    /// A bookmark from state that has no watermark yet: only <paramref name="done"/> are done (they were loaded while
    /// an older version was still to do, which holds the watermark back).
    /// </summary>
    public static TableBookmark RestoreWithoutWatermark(IEnumerable<DoneVersion> done) => new() { DoneAbove = done.ToImmutableHashSet() };

    /// <summary>Every version known done at or above the watermark, oldest first.</summary>
    public IReadOnlyList<DoneVersion> DoneAtOrAbove =>
        DoneAtWatermark.Select(p => new DoneVersion(p, Watermark!.Value))
            .Concat(DoneAbove)
            .OrderBy(d => d.Modified).ThenBy(d => d.Path, StringComparer.Ordinal)
            .ToList();

    /// <summary>True when <paramref name="version"/> is still to be read.</summary>
    public bool IsPending(FileVersion version)
    {
        // No watermark yet: versions done while an older one is still to do are all that is known done.
        if (Watermark is not { } watermark) return !DoneAbove.Contains(new DoneVersion(version.Path, version.Modified));
        if (version.Modified < watermark) return false;
        if (version.Modified == watermark)
            return !AllDoneAtWatermark && !DoneAtWatermark.Contains(version.Path);
        return !DoneAbove.Contains(new DoneVersion(version.Path, version.Modified));
    }

    /// <summary>
    /// Records <paramref name="completed"/> as done and moves the watermark as far as it may: up to the newest done
    /// version that is older than every version in <paramref name="stillToDo"/> (pending, failed or waiting for its
    /// ready file; abandoned versions are not in it and so no longer hold the watermark back).
    /// </summary>
    public TableBookmark Complete(FileVersion completed, IEnumerable<FileVersion> stillToDo)
    {
        if (!IsPending(completed)) return this;
        var withDone = MarkDone(completed);
        return withDone.NextWatermark(stillToDo) is { } next ? withDone.MoveWatermarkTo(next) : withDone;
    }

    /// <summary>The version is done; the watermark stays where it is.</summary>
    public TableBookmark MarkDone(FileVersion completed) => completed.Modified == Watermark
        ? this with { DoneAtWatermark = DoneAtWatermark.Add(completed.Path) }
        : this with { DoneAbove = DoneAbove.Add(new DoneVersion(completed.Path, completed.Modified)) };

    /// <summary>The watermark moves up to <paramref name="watermark"/>; done versions at or below it are folded in.</summary>
    public TableBookmark MoveWatermarkTo(DateTimeOffset watermark)
    {
        if (Watermark is { } current && watermark <= current) return this;
        return this with
        {
            Watermark = watermark,
            AllDoneAtWatermark = false,
            DoneAtWatermark = DoneAbove.Where(d => d.Modified == watermark).Select(d => d.Path).ToImmutableHashSet(StringComparer.Ordinal),
            DoneAbove = DoneAbove.Where(d => d.Modified > watermark).ToImmutableHashSet(),
        };
    }

    private DateTimeOffset? NextWatermark(IEnumerable<FileVersion> stillToDo)
    {
        var oldestToDo = stillToDo.Where(IsPending).Select(v => (DateTimeOffset?)v.Modified).Min();
        var candidates = DoneAbove.Where(d => oldestToDo is null || d.Modified < oldestToDo).ToList();
        return candidates.Count == 0 ? null : candidates.Max(d => d.Modified);
    }
}

/// <summary>A file version known done: its path and mtime.</summary>
public sealed record DoneVersion(string Path, DateTimeOffset Modified);
