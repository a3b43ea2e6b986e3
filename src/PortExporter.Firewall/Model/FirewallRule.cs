using System.Text;

namespace PortExporter.Firewall.Model;

/// <summary>One rule: conditions, side effects and an action, with its text for humans.</summary>
/// <remarks>
/// A snapshot of a large ruleset holds tens of thousands of rules for as long as it is current, so a rule keeps
/// its parts compactly: the matches in one exact-size array (not the compiler's list and a copy), the optional
/// numbers as plain numbers with presence bits, and its text as one byte a character when it is Latin-1 (nearly
/// always: rule text is ASCII), decoded when asked for.
/// </remarks>
/// <param name="Position">1-based position in its chain.</param>
/// <param name="Handle">The nftables rule handle, when the backend has one.</param>
/// <param name="Text">The rule as its tool prints it (iptables-save line, nft syntax), without counters.</param>
/// <param name="Matches">All must match (unknown when one is unknown and none fails).</param>
/// <param name="Action">What happens on a match.</param>
public sealed record FirewallRule(int Position, long? Handle, string Text, IReadOnlyList<RuleMatch> Matches, RuleAction Action)
{
    private const byte HasHandle = 1;
    private const byte HasPackets = 2;
    private const byte HasBytes = 4;
    private const byte NotrackFlag = 8;

    private readonly RuleMatch[] _matches = [.. Matches];

    // The text: a byte[] of Latin-1 characters, or the string when it has other characters.
    private readonly object _text = Compact(Text);

    private readonly long _handle = Handle.GetValueOrDefault();
    private readonly long _packets;
    private readonly long _bytes;
    private readonly byte _flags = Handle.HasValue ? HasHandle : (byte)0;

    // A quick pre-check from the rule's plain (not negated) destination-port and protocol matches: most rules of a
    // long chain are about other ports, and this rejects them without walking their matches.
    private readonly IntervalSet? _requiredPorts = Required(Matches, PacketField.DestinationPort)?.Set;
    private readonly IntervalSet? _requiredProtocols = Required(Matches, PacketField.L4Protocol)?.Set;
    private readonly NumericValues? _requiredSources = Required(Matches, PacketField.SourceAddress);
    private readonly NumericValues? _requiredDestinations = Required(Matches, PacketField.DestinationAddress);

    /// <summary>The nftables rule handle, when the backend has one.</summary>
    public long? Handle
    {
        get => (_flags & HasHandle) != 0 ? _handle : null;
        init
        {
            _handle = value.GetValueOrDefault();
            _flags = (byte)(value.HasValue ? _flags | HasHandle : _flags & ~HasHandle);
        }
    }

    /// <summary>The rule as its tool prints it (iptables-save line, nft syntax), without counters.</summary>
    public string Text => _text as string ?? Encoding.Latin1.GetString((byte[])_text);

    /// <summary>
    /// Appends <see cref="Text"/> to <paramref name="destination"/> without making a string of it (a fingerprint of
    /// 10k rules asked for 1 MB of strings on every refresh).
    /// </summary>
    public StringBuilder AppendText(StringBuilder destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (_text is string text)
        {
            return destination.Append(text);
        }

        ReadOnlySpan<byte> latin1 = (byte[])_text;
        Span<char> chars = stackalloc char[256];
        while (!latin1.IsEmpty)
        {
            var take = Math.Min(latin1.Length, chars.Length);
            Encoding.Latin1.GetChars(latin1[..take], chars);
            destination.Append(chars[..take]);
            latin1 = latin1[take..];
        }

        return destination;
    }

    /// <summary>All must match (unknown when one is unknown and none fails).</summary>
    public IReadOnlyList<RuleMatch> Matches => _matches;

    /// <summary>Label text is shortened to this many characters.</summary>
    public const int MaxLabelLength = 120;

    /// <summary>Packet counter of the rule, when the backend keeps one.</summary>
    public long? Packets
    {
        get => (_flags & HasPackets) != 0 ? _packets : null;
        init
        {
            _packets = value.GetValueOrDefault();
            _flags = (byte)(value.HasValue ? _flags | HasPackets : _flags & ~HasPackets);
        }
    }

    /// <summary>Byte counter of the rule, when the backend keeps one.</summary>
    public long? Bytes
    {
        get => (_flags & HasBytes) != 0 ? _bytes : null;
        init
        {
            _bytes = value.GetValueOrDefault();
            _flags = (byte)(value.HasValue ? _flags | HasBytes : _flags & ~HasBytes);
        }
    }

    /// <summary>The rule's comment, when it has one.</summary>
    public string? Comment { get; init; }

    /// <summary>Sets the conntrack state to untracked (NOTRACK, <c>CT --notrack</c>, nft <c>notrack</c>).</summary>
    public bool SetsNotrack
    {
        get => (_flags & NotrackFlag) != 0;
        init => _flags = (byte)(value ? _flags | NotrackFlag : _flags & ~NotrackFlag);
    }

    /// <summary>Changes the packet mark.</summary>
    public MarkChange? Mark { get; init; }

    /// <summary>True when the rule's matching cannot change what happens to the packet (log, counter only).</summary>
    public bool IsInert => Action.Kind == RuleActionKind.Continue && !SetsNotrack && Mark is null;

    /// <summary>"handle 12: tcp dport 8080 drop" or "rule 3: -A INPUT ... -j DROP", at most <see cref="MaxLabelLength"/> characters.</summary>
    public string Label => Clipping.Clip(Handle is { } h ? $"handle {h}: {Text}" : $"rule {Position}: {Text}", MaxLabelLength);

    /// <summary>
    /// A <see cref="Label"/> without its "handle N: " or "rule N: " prefix: what stays the same when the same rule
    /// is loaded again (new handle) or moved by rules inserted above it. Any other text comes back as it is.
    /// </summary>
    public static string TextOfLabel(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        foreach (var prefix in (string[])["handle ", "rule "])
        {
            if (label.StartsWith(prefix, StringComparison.Ordinal))
            {
                var colon = label.IndexOf(": ", prefix.Length, StringComparison.Ordinal);
                if (colon > prefix.Length && !label.AsSpan(prefix.Length, colon - prefix.Length).ContainsAnyExceptInRange('0', '9'))
                {
                    return label[(colon + 2)..];
                }
            }
        }

        return label;
    }

    /// <summary>The first reason a match of this rule can be unknown, or null.</summary>
    public string? UnknownReason => Matches.Select(m => m.UnknownReason).FirstOrDefault(r => r is not null);

    public MatchResult Evaluate(PacketState packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        if (!MightMatch(packet))
        {
            return MatchResult.No;
        }

        return EvaluateMatches(packet);
    }

    /// <summary>Evaluates every match, the pre-check of <see cref="MightMatch(PacketState)"/> being known to pass.</summary>
    internal MatchResult EvaluateMatches(PacketState packet)
    {
        var result = MatchResult.Yes;
        foreach (var match in _matches)
        {
            var r = match.Evaluate(packet);
            if (r == MatchResult.No)
            {
                return MatchResult.No;
            }

            if (r == MatchResult.Unknown)
            {
                result = MatchResult.Unknown;
            }
        }

        return result;
    }

    /// <summary>The ports of the rule's plain destination-port match, or null when it has none.</summary>
    internal IntervalSet? RequiredPorts => _requiredPorts;

    /// <summary>
    /// False when the rule's plain (not negated) protocol, address or destination-port match rules the packet out.
    /// It reads only what stays fixed along a chain walk, so the evaluator uses it to index long chains.
    /// </summary>
    public bool MightMatch(PacketState packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        if (_requiredProtocols is { } protocols && !protocols.Contains((ulong)packet.Protocol))
        {
            return false;
        }

        if (_requiredSources is { } sources && (sources.IpVersion != packet.IpVersion || !sources.Set.Contains(packet.Source)))
        {
            return false;
        }

        if (_requiredDestinations is { } destinations && (destinations.IpVersion != packet.IpVersion || !destinations.Set.Contains(packet.Destination)))
        {
            return false;
        }

        return _requiredPorts is not { } ports || (packet.DestinationPortLow == packet.DestinationPortHigh
            ? ports.Contains((ulong)packet.DestinationPortLow)
            : ports.Covers((UInt128)packet.DestinationPortLow, (UInt128)packet.DestinationPortHigh) != MatchResult.No);
    }

    private static NumericValues? Required(IReadOnlyList<RuleMatch> matches, PacketField field)
    {
        foreach (var match in matches)
        {
            if (match is FieldMatch { Negate: false, Values: NumericValues values } fm && fm.Field == field
                && (values.IpVersion is not null) == (field is PacketField.SourceAddress or PacketField.DestinationAddress))
            {
                return values;
            }
        }

        return null;
    }

    private static object Compact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.AsSpan().ContainsAnyExceptInRange('\0', '\u00FF') ? text : Encoding.Latin1.GetBytes(text);
    }
}
