namespace PortExporter.Firewall.Model;

/// <summary>
/// A set of numbers (ports, protocols, marks, addresses encoded by <see cref="PacketState.Encode"/>) held as
/// sorted, merged, inclusive ranges: membership is a binary search, so a set of 10,000 elements costs
/// a few comparisons. Immutable.
/// <para>
/// A ruleset of 10,000 rules holds tens of thousands of these, nearly all one port, one protocol, one IPv4
/// address or prefix, so the layout is chosen for that: one range whose bounds fit 64 bits lives in two fields
/// and no array; other sets whose bounds all fit 64 bits keep one array of them (compared much faster than
/// 128-bit numbers); only sets with an IPv6 bound keep 128-bit bounds. Arrays interleave the bounds,
/// <c>[low0, high0, low1, high1, ...]</c>, so a set is one object and at most one array.
/// </para>
/// </summary>
public sealed class IntervalSet
{
    // The only range, when _bounds is null.
    private readonly ulong _low;
    private readonly ulong _high;

    // Otherwise the interleaved bounds: a ulong[] when every bound fits 64 bits, else a UInt128[]. One field of
    // either type, not two, as a set of one port is otherwise all fields.
    private readonly Array? _bounds;

    private IntervalSet(ulong low, ulong high)
    {
        _low = low;
        _high = high;
    }

    private IntervalSet(ulong[] narrow) => _bounds = narrow;

    private IntervalSet(UInt128[] wide) => _bounds = wide;

    /// <summary>Number of values in the set, saturated at <see cref="ulong.MaxValue"/>.</summary>
    public ulong Count
    {
        get
        {
            UInt128 total = 0;
            for (var i = 0; i < RangeCount; i++)
            {
                total += High(i) - Low(i) + 1;
            }

            return total > ulong.MaxValue ? ulong.MaxValue : (ulong)total;
        }
    }

    public static IntervalSet Empty { get; } = new(Array.Empty<ulong>());

    public int RangeCount => _bounds is { } bounds ? bounds.Length / 2 : 1;

    public static IntervalSet One(UInt128 value) => Range(value, value);

    public static IntervalSet Range(UInt128 low, UInt128 high)
    {
        if (low > high)
        {
            (low, high) = (high, low);
        }

        return high <= ulong.MaxValue ? new IntervalSet((ulong)low, (ulong)high) : new IntervalSet([low, high]);
    }

    /// <summary>Builds a set from ranges in any order; overlapping and adjacent ranges are merged.</summary>
    public static IntervalSet Of(IEnumerable<(UInt128 Low, UInt128 High)> ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);

        // Nearly every set a rule holds is one value or range: no list, no sort (a ruleset compiles tens of thousands).
        if (ranges is IReadOnlyList<(UInt128 Low, UInt128 High)> { Count: <= 1 } few)
        {
            return few.Count == 0 ? Empty : Range(few[0].Low, few[0].High);
        }

        return OfSorting([.. ranges]);
    }

    /// <summary>
    /// Builds a set from ranges in any order, sorting and merging them in <paramref name="ranges"/> itself (the caller's
    /// buffer, changed): the set's one array is its only allocation.
    /// </summary>
    internal static IntervalSet OfSorting(Span<(UInt128 Low, UInt128 High)> ranges)
    {
        if (ranges.Length == 0)
        {
            return Empty;
        }

        for (var i = 0; i < ranges.Length; i++)
        {
            if (ranges[i].Low > ranges[i].High)
            {
                ranges[i] = (ranges[i].High, ranges[i].Low);
            }
        }

        ranges.Sort(static (a, b) => a.Low.CompareTo(b.Low));

        // Merged in place: ranges[..merged] are the set's ranges.
        var merged = 0;
        for (var i = 1; i < ranges.Length; i++)
        {
            var (l, h) = ranges[i];
            var curHigh = ranges[merged].High;
            if (curHigh == UInt128.MaxValue || l <= curHigh + 1)
            {
                if (h > curHigh)
                {
                    ranges[merged].High = h;
                }
            }
            else
            {
                ranges[++merged] = (l, h);
            }
        }

        var count = merged + 1;
        if (count == 1)
        {
            return Range(ranges[0].Low, ranges[0].High);
        }

        if (ranges[merged].High > ulong.MaxValue)
        {
            var wide = new UInt128[count * 2];
            for (var i = 0; i < count; i++)
            {
                (wide[2 * i], wide[(2 * i) + 1]) = ranges[i];
            }

            return new IntervalSet(wide);
        }

        var narrow = new ulong[count * 2];
        for (var i = 0; i < count; i++)
        {
            narrow[2 * i] = (ulong)ranges[i].Low;
            narrow[(2 * i) + 1] = (ulong)ranges[i].High;
        }

        return new IntervalSet(narrow);
    }

    public static IntervalSet Union(IntervalSet a, IntervalSet b) => Of(a.Ranges().Concat(b.Ranges()));

    /// <summary>The values of <paramref name="a"/> that are not in <paramref name="b"/>: one merge of the two sorted range lists.</summary>
    public static IntervalSet Except(IntervalSet a, IntervalSet b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var result = new List<(UInt128, UInt128)>();
        var j = 0;
        for (var i = 0; i < a.RangeCount; i++)
        {
            var (low, high) = (a.Low(i), a.High(i));
            var empty = false;
            while (j < b.RangeCount && b.High(j) < low)
            {
                j++;
            }

            for (var k = j; k < b.RangeCount && b.Low(k) <= high; k++)
            {
                if (b.Low(k) > low)
                {
                    result.Add((low, b.Low(k) - 1));
                }

                if (b.High(k) >= high)
                {
                    empty = true;
                    break;
                }

                low = b.High(k) + 1;
            }

            if (!empty)
            {
                result.Add((low, high));
            }
        }

        return Of(result);
    }

    public IEnumerable<(UInt128 Low, UInt128 High)> Ranges()
    {
        for (var i = 0; i < RangeCount; i++)
        {
            yield return (Low(i), High(i));
        }
    }

    public bool Contains(UInt128 value)
    {
        if (_bounds is not UInt128[] wide)
        {
            return value <= ulong.MaxValue && Contains((ulong)value);
        }

        var lo = 0;
        var hi = (wide.Length / 2) - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (value < wide[2 * mid])
            {
                hi = mid - 1;
            }
            else if (value > wide[(2 * mid) + 1])
            {
                lo = mid + 1;
            }
            else
            {
                return true;
            }
        }

        return false;
    }

    public bool Contains(ulong value)
    {
        if (_bounds is not ulong[] narrow)
        {
            return _bounds is null ? value >= _low && value <= _high : Contains((UInt128)value);
        }

        var lo = 0;
        var hi = (narrow.Length / 2) - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (value < narrow[2 * mid])
            {
                hi = mid - 1;
            }
            else if (value > narrow[(2 * mid) + 1])
            {
                lo = mid + 1;
            }
            else
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Every value of the set, when it has at most <paramref name="limit"/> of them; else null.</summary>
    public IReadOnlyList<ulong>? Values(int limit)
    {
        if (Count > (ulong)limit || _bounds is UInt128[])
        {
            return null;
        }

        var values = new List<ulong>();
        for (var i = 0; i < RangeCount; i++)
        {
            for (var v = (ulong)Low(i); v <= (ulong)High(i); v++)
            {
                values.Add(v);
            }
        }

        return values;
    }

    /// <summary>Yes when the set holds every value of [low, high], No when none, Unknown when some.</summary>
    public MatchResult Covers(UInt128 low, UInt128 high)
    {
        if (_bounds is null && high <= ulong.MaxValue)
        {
            var (l, h) = ((ulong)low, (ulong)high);
            return _high < l || _low > h ? MatchResult.No : _low <= l && _high >= h ? MatchResult.Yes : MatchResult.Unknown;
        }

        var overlap = false;
        for (var i = 0; i < RangeCount; i++)
        {
            var (rangeLow, rangeHigh) = (Low(i), High(i));
            if (rangeHigh < low || rangeLow > high)
            {
                continue;
            }

            if (rangeLow <= low && rangeHigh >= high)
            {
                return MatchResult.Yes;
            }

            overlap = true;
        }

        return overlap ? MatchResult.Unknown : MatchResult.No;
    }

    /// <summary>True when <paramref name="other"/> holds the same values (for sharing equal sets).</summary>
    internal bool SameValues(IntervalSet other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (RangeCount != other.RangeCount)
        {
            return false;
        }

        for (var i = 0; i < RangeCount; i++)
        {
            if (Low(i) != other.Low(i) || High(i) != other.High(i))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A hash of the values, consistent with <see cref="SameValues"/>.</summary>
    internal int ValueHash()
    {
        var hash = new HashCode();
        for (var i = 0; i < RangeCount; i++)
        {
            hash.Add(Low(i));
            hash.Add(High(i));
        }

        return hash.ToHashCode();
    }

    private UInt128 Low(int i) => _bounds switch
    {
        null => _low,
        ulong[] narrow => narrow[2 * i],
        _ => ((UInt128[])_bounds)[2 * i],
    };

    private UInt128 High(int i) => _bounds switch
    {
        null => _high,
        ulong[] narrow => narrow[(2 * i) + 1],
        _ => ((UInt128[])_bounds)[(2 * i) + 1],
    };
}
