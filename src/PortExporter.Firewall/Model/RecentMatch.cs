namespace PortExporter.Firewall.Model;

/// <summary>What an <c>-m recent</c> match does with its list (one of <c>--set</c>, <c>--rcheck</c>, <c>--update</c>, <c>--remove</c>).</summary>
public enum RecentCommand
{
    Set,
    Check,
    Update,
    Remove,
}

/// <summary>The options of one <c>-m recent</c> match as iptables-save prints them.</summary>
/// <param name="Command">What it does.</param>
/// <param name="Negate">For <c>!</c> before the command.</param>
/// <param name="Name">The list (<c>--name</c>, DEFAULT without one).</param>
/// <param name="Mask">The mask applied to the address before the lookup (<c>--mask</c>), encoded as <see cref="PacketState.Encode"/> does.</param>
/// <param name="Destination">True for <c>--rdest</c>: the list holds the packet's destination, not its source.</param>
/// <param name="Seconds">For a check or update: only hits this recent count (<c>--seconds</c>), 0 without.</param>
/// <param name="HitCount">For a check or update: at least this many hits (<c>--hitcount</c>), 0 without.</param>
/// <param name="Ttl">True for <c>--rttl</c>: the entry must also have the packet's TTL.</param>
public sealed record RecentOptions(RecentCommand Command, bool Negate, string Name = RecentOptions.DefaultName, UInt128? Mask = null, bool Destination = false, uint Seconds = 0, uint HitCount = 0, bool Ttl = false)
{
    /// <summary>The list a match without <c>--name</c> uses.</summary>
    public const string DefaultName = "DEFAULT";
}

/// <summary>
/// iptables <c>-m recent</c> (xt_recent.c, recent_mt) for the simulated new connection. The kernel keeps, per list
/// and per network namespace, the addresses seen with their hit times; the firewall walk cannot know what an
/// earlier connection of this client left there, and simulates a fresh client, one not in any list: so a check,
/// update or remove does not find it and does not match (it matches under <c>!</c>), and <c>--set</c> matches and
/// records it. What a rule sets during the same walk is seen by the rules after it, as in the kernel, where the
/// entry exists as soon as the match ran: it then holds one hit (more if several rules set or update it) from now,
/// so <c>--seconds</c> passes and <c>--hitcount N</c> needs N such hits. Where the walk cannot tell whether the
/// setting match ran (an earlier match of its rule was unknown), the list's answer is unknown; so is an entry
/// checked with <c>--rttl</c> (the TTL xt_recent compares is bumped on the forward path). Immutable; the entries
/// live in the <see cref="PacketState"/> of one walk.
/// </summary>
/// <param name="options">The match's options.</param>
/// <param name="preceding">The matches before it in its rule, which decide whether a <c>--set</c> ran.</param>
public sealed class RecentMatch(RecentOptions options, IReadOnlyList<RuleMatch> preceding) : RuleMatch
{
    public RecentOptions Options { get; } = options;

    /// <summary>The matches before this one in its rule.</summary>
    public IReadOnlyList<RuleMatch> Preceding { get; } = preceding;

    public override MatchResult Evaluate(PacketState packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        var key = Key(packet);
        var entries = packet.RecentEntries;
        var found = entries is not null && entries.TryGetValue(key, out var hits) ? hits : (int?)null;
        switch (Options.Command)
        {
            case RecentCommand.Set:
                packet.RecentEntries ??= new Dictionary<string, int>(StringComparer.Ordinal);
                packet.RecentEntries[key] = found == Uncertain || !SetCertainly(packet) ? Uncertain : (found ?? 0) + 1;
                return MatchResult.Yes.Negate(Options.Negate);
            case RecentCommand.Remove:
                if (found == Uncertain)
                {
                    return MatchResult.Unknown;
                }

                entries?.Remove(key);
                return MatchResults.Of(found is not null).Negate(Options.Negate);
            default:
                if (found == Uncertain || (found is not null && Options.Ttl))
                {
                    return MatchResult.Unknown;
                }

                // Every hit recorded in this walk is from now: --seconds passes, --hitcount counts them.
                var matched = found is { } n && (Options.HitCount == 0 || n >= Options.HitCount);
                var result = MatchResults.Of(matched).Negate(Options.Negate);
                if (Options.Command == RecentCommand.Update && result == MatchResult.Yes && found is { } m)
                {
                    entries![key] = m + 1;
                }

                return result;
        }
    }

    /// <summary>An entry a <c>--set</c> may or may not have made.</summary>
    private const int Uncertain = -1;

    /// <summary>True when every match before this one in its rule matched, so the kernel ran this one.</summary>
    private bool SetCertainly(PacketState packet)
    {
        foreach (var match in Preceding)
        {
            if (match is RecentMatch || match.Evaluate(packet) != MatchResult.Yes)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The list entry the packet's address (masked) is: per list name, family and address, as xt_recent keys it.</summary>
    private string Key(PacketState packet)
    {
        var address = Options.Destination ? packet.Destination : packet.Source;
        if (Options.Mask is { } mask)
        {
            address &= mask;
        }

        return $"{Options.Name}|{packet.IpVersion}|{address}";
    }
}
