namespace PortExporter.Core.Firewall.Model;

/// <summary>
/// A set of numbers (ports, protocols, marks, addresses encoded by <see cref="PacketState.Encode"/>) held as
/// sorted, merged, inclusive ranges: membership is a binary search, so a set of 10,000 elements costs
/// a few comparisons. Immutable.
/// </summary>
public sealed class IntervalSet
{
    private readonly UInt128[] _low;
    private readonly UInt128[] _high;

    // The same ranges as 64-bit numbers when they fit (ports, protocols, IPv4): compared much faster.
    private readonly ulong[]? _narrowLow;
    private readonly ulong[]? _narrowHigh;

    private IntervalSet(UInt128[] low, UInt128[] high)
    {
        _low = low;
        _high = high;
        if (high.Length == 0 || high[^1] <= ulong.MaxValue)
        {
            _narrowLow = [.. low.Select(v => (ulong)v)];
            _narrowHigh = [.. high.Select(v => (ulong)v)];
        }
    }

    /// <summary>Number of values in the set, saturated at <see cref="ulong.MaxValue"/>.</summary>
    public ulong Count
    {
        get
        {
            UInt128 total = 0;
            for (var i = 0; i < _low.Length; i++)
            {
                total += _high[i] - _low[i] + 1;
            }

            return total > ulong.MaxValue ? ulong.MaxValue : (ulong)total;
        }
    }

    public static IntervalSet Empty { get; } = new([], []);

    public int RangeCount => _low.Length;

    public static IntervalSet One(UInt128 value) => new([value], [value]);

    public static IntervalSet Range(UInt128 low, UInt128 high) => low <= high ? new([low], [high]) : new([high], [low]);

    /// <summary>Builds a set from ranges in any order; overlapping and adjacent ranges are merged.</summary>
    public static IntervalSet Of(IEnumerable<(UInt128 Low, UInt128 High)> ranges)
    {
        var list = ranges.Select(r => r.Low <= r.High ? (r.Low, r.High) : (Low: r.High, High: r.Low)).ToList();
        if (list.Count == 0)
        {
            return Empty;
        }

        list.Sort((a, b) => a.Low.CompareTo(b.Low));
        var low = new List<UInt128>(list.Count);
        var high = new List<UInt128>(list.Count);
        var (curLow, curHigh) = list[0];
        for (var i = 1; i < list.Count; i++)
        {
            var (l, h) = list[i];
            if (curHigh == UInt128.MaxValue || l <= curHigh + 1)
            {
                if (h > curHigh)
                {
                    curHigh = h;
                }
            }
            else
            {
                low.Add(curLow);
                high.Add(curHigh);
                (curLow, curHigh) = (l, h);
            }
        }

        low.Add(curLow);
        high.Add(curHigh);
        return new IntervalSet([.. low], [.. high]);
    }

    public static IntervalSet Union(IntervalSet a, IntervalSet b) => Of(a.Ranges().Concat(b.Ranges()));

    public IEnumerable<(UInt128 Low, UInt128 High)> Ranges()
    {
        for (var i = 0; i < _low.Length; i++)
        {
            yield return (_low[i], _high[i]);
        }
    }

    public bool Contains(UInt128 value)
    {
        if (_narrowLow is not null)
        {
            return value <= ulong.MaxValue && Contains((ulong)value);
        }

        var lo = 0;
        var hi = _low.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (value < _low[mid])
            {
                hi = mid - 1;
            }
            else if (value > _high[mid])
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
        if (_narrowLow is not { } lows || _narrowHigh is not { } highs)
        {
            return Contains((UInt128)value);
        }

        var lo = 0;
        var hi = lows.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (value < lows[mid])
            {
                hi = mid - 1;
            }
            else if (value > highs[mid])
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
        if (Count > (ulong)limit || _narrowLow is not { } lows || _narrowHigh is not { } highs)
        {
            return null;
        }

        var values = new List<ulong>();
        for (var i = 0; i < lows.Length; i++)
        {
            for (var v = lows[i]; v <= highs[i]; v++)
            {
                values.Add(v);
            }
        }

        return values;
    }

    /// <summary>Yes when the set holds every value of [low, high], No when none, Unknown when some.</summary>
    public MatchResult Covers(UInt128 low, UInt128 high)
    {
        var overlap = false;
        for (var i = 0; i < _low.Length; i++)
        {
            if (_high[i] < low || _low[i] > high)
            {
                continue;
            }

            if (_low[i] <= low && _high[i] >= high)
            {
                return MatchResult.Yes;
            }

            overlap = true;
        }

        return overlap ? MatchResult.Unknown : MatchResult.No;
    }
}
