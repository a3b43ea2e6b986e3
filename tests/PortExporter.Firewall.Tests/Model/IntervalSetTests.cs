using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Tests;

/// <summary>
/// <see cref="IntervalSet"/> keeps one range, 64-bit ranges and 128-bit ranges in different layouts: every
/// operation must answer the same whatever the layout.
/// </summary>
public sealed class IntervalSetTests
{
    private static readonly UInt128 Wide = (UInt128)ulong.MaxValue + 10;

    public static TheoryData<string> Layouts => ["empty", "one", "narrow", "wide", "one wide"];

    private static IntervalSet Make(string layout) => layout switch
    {
        "empty" => IntervalSet.Of([]),
        "one" => IntervalSet.Of([(100, 200)]),
        "narrow" => IntervalSet.Of([(300, 400), (100, 200), (201, 250), (ulong.MaxValue, ulong.MaxValue)]),
        "wide" => IntervalSet.Of([(100, 250), (300, 400), (ulong.MaxValue, Wide)]),
        _ => IntervalSet.Range(Wide, Wide - 5),
    };

    // The expected answers, from the ranges by brute force.
    private static (UInt128 Low, UInt128 High)[] Expected(string layout) => layout switch
    {
        "empty" => [],
        "one" => [(100, 200)],
        "narrow" => [(100, 250), (300, 400), (ulong.MaxValue, ulong.MaxValue)],
        "wide" => [(100, 250), (300, 400), (ulong.MaxValue, Wide)],
        _ => [(Wide - 5, Wide)],
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Ranges_are_sorted_and_merged(string layout)
    {
        var set = Make(layout);
        Assert.Equal(Expected(layout), set.Ranges());
        Assert.Equal(Expected(layout).Length, set.RangeCount);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Membership_and_coverage_follow_the_ranges(string layout)
    {
        var set = Make(layout);
        var ranges = Expected(layout);
        UInt128[] probes = [0, 99, 100, 150, 200, 201, 250, 251, 299, 300, 400, 401, ulong.MaxValue - 1, ulong.MaxValue, Wide - 6, Wide - 5, Wide, Wide + 1];
        foreach (var v in probes)
        {
            var expected = ranges.Any(r => r.Low <= v && v <= r.High);
            Assert.Equal(expected, set.Contains(v));
            if (v <= ulong.MaxValue)
            {
                Assert.Equal(expected, set.Contains((ulong)v));
            }
        }

        foreach (var (low, high) in new (UInt128, UInt128)[] { (100, 200), (150, 160), (90, 110), (0, 50), (240, 310), (0, UInt128.MaxValue), (ulong.MaxValue, ulong.MaxValue), (Wide - 1, Wide) })
        {
            var expected = ranges.Any(r => r.Low <= low && r.High >= high) ? MatchResult.Yes
                : ranges.Any(r => !(r.High < low || r.Low > high)) ? MatchResult.Unknown : MatchResult.No;
            Assert.Equal(expected, set.Covers(low, high));
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Counts_and_lists_small_sets(string layout)
    {
        var set = Make(layout);
        var ranges = Expected(layout);
        UInt128 total = 0;
        foreach (var (low, high) in ranges)
        {
            total += high - low + 1;
        }

        Assert.Equal(total > ulong.MaxValue ? ulong.MaxValue : (ulong)total, set.Count);
        // 200 is more than "one" holds and less than "narrow" holds; a 128-bit set is never listed.
        var listed = set.Values(200);
        if (layout is "empty" or "one")
        {
            Assert.Equal(ranges.SelectMany(r => Enumerable.Range((int)r.Low, (int)(r.High - r.Low + 1))).Select(v => (ulong)v), listed!);
        }
        else
        {
            Assert.Null(listed);
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Except_removes_exactly_the_other_sets_values(string layout)
    {
        var set = Make(layout);
        IntervalSet[] others = [IntervalSet.Empty, IntervalSet.Of([(150, 320)]), IntervalSet.Of([(0, 99), (100, 100), (400, 400), (Wide - 1, Wide)]), IntervalSet.Range(0, UInt128.MaxValue)];
        UInt128[] probes = [0, 99, 100, 101, 149, 150, 200, 250, 251, 300, 320, 321, 399, 400, 401, ulong.MaxValue, Wide - 2, Wide - 1, Wide, Wide + 1];
        foreach (var other in others)
        {
            var except = IntervalSet.Except(set, other);
            foreach (var v in probes)
            {
                Assert.Equal(set.Contains(v) && !other.Contains(v), except.Contains(v));
            }
        }
    }

    [Fact]
    public void Equal_values_are_recognised_whatever_the_layout()
    {
        var one = IntervalSet.One(22);
        Assert.True(one.SameValues(IntervalSet.Of([(22, 22)])));
        Assert.Equal(one.ValueHash(), IntervalSet.Of([(22, 22)]).ValueHash());
        Assert.False(one.SameValues(IntervalSet.One(23)));
        Assert.True(IntervalSet.Union(IntervalSet.One(1), IntervalSet.One(3)).SameValues(IntervalSet.Of([(3, 3), (1, 1)])));
        Assert.False(IntervalSet.Union(IntervalSet.One(1), IntervalSet.One(3)).SameValues(IntervalSet.Range(1, 3)));
        Assert.True(IntervalSet.Empty.SameValues(IntervalSet.Of([])));
    }
}
