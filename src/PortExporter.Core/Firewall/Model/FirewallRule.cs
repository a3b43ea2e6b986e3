namespace PortExporter.Core.Firewall.Model;

/// <summary>One rule: conditions, side effects and an action, with its text for humans.</summary>
/// <param name="Position">1-based position in its chain.</param>
/// <param name="Handle">The nftables rule handle, when the backend has one.</param>
/// <param name="Text">The rule as its tool prints it (iptables-save line, nft syntax), without counters.</param>
/// <param name="Matches">All must match (unknown when one is unknown and none fails).</param>
/// <param name="Action">What happens on a match.</param>
public sealed record FirewallRule(int Position, long? Handle, string Text, IReadOnlyList<RuleMatch> Matches, RuleAction Action)
{
    /// <summary>Label text is shortened to this many characters.</summary>
    public const int MaxLabelLength = 120;

    /// <summary>Packet counter of the rule, when the backend keeps one.</summary>
    public long? Packets { get; init; }

    /// <summary>Byte counter of the rule, when the backend keeps one.</summary>
    public long? Bytes { get; init; }

    /// <summary>The rule's comment, when it has one.</summary>
    public string? Comment { get; init; }

    /// <summary>Sets the conntrack state to untracked (NOTRACK, <c>CT --notrack</c>, nft <c>notrack</c>).</summary>
    public bool SetsNotrack { get; init; }

    /// <summary>Changes the packet mark.</summary>
    public MarkChange? Mark { get; init; }

    /// <summary>True when the rule's matching cannot change what happens to the packet (log, counter only).</summary>
    public bool IsInert => Action.Kind == RuleActionKind.Continue && !SetsNotrack && Mark is null;

    /// <summary>"handle 12: tcp dport 8080 drop" or "rule 3: -A INPUT ... -j DROP", at most <see cref="MaxLabelLength"/> characters.</summary>
    public string Label => Shorten(Handle is { } h ? $"handle {h}: {Text}" : $"rule {Position}: {Text}");

    /// <summary>The first reason a match of this rule can be unknown, or null.</summary>
    public string? UnknownReason => Matches.Select(m => m.UnknownReason).FirstOrDefault(r => r is not null);

    public MatchResult Evaluate(PacketState packet)
    {
        var result = MatchResult.Yes;
        foreach (var match in Matches)
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

    public static string Shorten(string text) =>
        text.Length <= MaxLabelLength ? text : string.Concat(text.AsSpan(0, MaxLabelLength - 3), "...");
}
