namespace PortExporter.Firewall.Model;

/// <summary>
/// iptables <c>-m set [!] --match-set NAME FLAGS</c>: the packet's fields, picked by the flags, are looked up in an
/// ipset's contents; a <c>list:set</c> tries each member set in turn. Yes when a lookup finds the packet, Unknown
/// when one might (a field the simulation does not know, such as the client's port), No otherwise.
/// </summary>
/// <param name="name">The set's name, for humans.</param>
/// <param name="lookups">One lookup per set tried (one, or the members of a <c>list:set</c>).</param>
/// <param name="negate">For <c>! --match-set</c>.</param>
public sealed class SetLookupMatch(string name, IReadOnlyList<ConcatMatch> lookups, bool negate) : RuleMatch
{
    public string Name { get; } = name;

    public IReadOnlyList<ConcatMatch> Lookups { get; } = lookups;

    public bool Negate { get; } = negate;

    /// <summary>The <c>--match-set</c> flags as iptables-save printed them (<c>src,dst</c>), to compile the match again.</summary>
    internal string Flags { get; init; } = string.Empty;

    /// <summary>True when compiled with <c>--return-nomatch</c>.</summary>
    internal bool ReturnsNomatch { get; init; }

    public override MatchResult Evaluate(PacketState packet)
    {
        var result = MatchResult.No;
        foreach (var lookup in Lookups)
        {
            var r = lookup.Evaluate(packet);
            if (r == MatchResult.Yes)
            {
                return MatchResult.Yes.Negate(Negate);
            }

            if (r == MatchResult.Unknown)
            {
                result = MatchResult.Unknown;
            }
        }

        return result.Negate(Negate);
    }
}
