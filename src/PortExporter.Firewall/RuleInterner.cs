using PortExporter.Firewall.Model;

namespace PortExporter.Firewall;

/// <summary>
/// Shares equal immutable parts of rules among the rules of one ruleset while it is compiled: the matches on
/// one field and their values (thousands of rules say <c>tcp dport 443</c>, <c>ct state established</c> or
/// <c>-i lo</c>), actions (<c>-j KUBE-SVC-...</c>), mark changes and comments. A snapshot of a large ruleset
/// is held in memory for as long as it is current; without this, every rule would carry its own copy of each.
/// Matches, values and actions are immutable and evaluated by reference only, so sharing them cannot change an
/// answer. One instance per parse (its tables die with it); not thread-safe.
/// </summary>
internal sealed class RuleInterner
{
    private readonly Dictionary<FieldValues, FieldValues> _values = new(ValuesComparer.Instance);
    private readonly Dictionary<(PacketField Field, FieldValues Values, bool Negate), FieldMatch> _fieldMatches = [];
    private readonly Dictionary<RuleAction, RuleAction> _actions = [];
    private readonly Dictionary<MarkChange, MarkChange> _marks = [];
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly RateLimitMatch _within = new(over: false);
    private readonly RateLimitMatch _over = new(over: true);
    private Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _stringsByChars;

    /// <summary>The shared match equal to <paramref name="match"/> (itself when it is the first such match).</summary>
    public RuleMatch Match(RuleMatch match) => match switch
    {
        FieldMatch field => Field(field),
        RateLimitMatch limit => limit.Over ? _over : _within,
        _ => match,
    };

    /// <summary>Replaces every match of <paramref name="matches"/> by its shared equal.</summary>
    public void Matches(List<RuleMatch> matches)
    {
        for (var i = 0; i < matches.Count; i++)
        {
            matches[i] = Match(matches[i]);
        }
    }

    public RuleAction Action(RuleAction action) => Shared(_actions, action);

    public MarkChange? Mark(MarkChange? mark) => mark is null ? null : Shared(_marks, mark);

    public string? Text(string? text) => text is null ? null : Shared(_strings, text);

    /// <summary>The shared string of these characters (a new one only the first time): names a ruleset repeats on every rule.</summary>
    public string Text(ReadOnlySpan<char> chars)
    {
        if (_stringsByChars.Dictionary is null)
        {
            _stringsByChars = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        if (_stringsByChars.TryGetValue(chars, out var shared))
        {
            return shared;
        }

        shared = chars.ToString();
        _strings.Add(shared, shared);
        return shared;
    }

    private FieldMatch Field(FieldMatch match)
    {
        var values = Shared(_values, match.Values);
        var key = (match.Field, values, match.Negate);
        if (_fieldMatches.TryGetValue(key, out var shared))
        {
            return shared;
        }

        shared = ReferenceEquals(values, match.Values) ? match : new FieldMatch(match.Field, values, match.Negate);
        _fieldMatches.Add(key, shared);
        return shared;
    }

    private static T Shared<T>(Dictionary<T, T> table, T value)
        where T : notnull
    {
        if (table.TryGetValue(value, out var shared))
        {
            return shared;
        }

        table.Add(value, value);
        return value;
    }

    /// <summary>Equal values of the kinds rules repeat; any other kind only equals itself.</summary>
    private sealed class ValuesComparer : IEqualityComparer<FieldValues>
    {
        public static ValuesComparer Instance { get; } = new();

        public bool Equals(FieldValues? x, FieldValues? y) => ReferenceEquals(x, y) || (x, y) switch
        {
            (NumericValues a, NumericValues b) => a.IpVersion == b.IpVersion && a.Set.SameValues(b.Set),
            (ConntrackStateValues a, ConntrackStateValues b) => a.States == b.States,
            (InterfaceValues a, InterfaceValues b) => a.SameValues(b),
            _ => false,
        };

        public int GetHashCode(FieldValues obj) => obj switch
        {
            NumericValues n => HashCode.Combine(n.IpVersion, n.Set.ValueHash()),
            ConntrackStateValues c => c.States.GetHashCode(),
            InterfaceValues i => i.ValueHash(),
            _ => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj),
        };
    }
}
