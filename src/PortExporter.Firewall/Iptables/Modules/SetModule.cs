using PortExporter.Firewall.Ipset;
using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Iptables.Modules;

/// <summary>
/// <c>-m set [!] --match-set NAME FLAGS</c> (and the old <c>--set</c>), looked up in the contents <c>ipset save</c>
/// printed. FLAGS are <c>src</c>/<c>dst</c> per dimension of the set; like the kernel, a set with more dimensions
/// than flags never matches, and extra flags are ignored. Without the contents, with a set missing from them, or of
/// a type the simulator does not model, the match is unknown naming why. <c>! --update-counters</c> and
/// <c>! --update-subcounters</c> change nothing a verdict depends on; the counter conditions are not understood.
/// <c>--return-nomatch</c> (xt_set's IPSET_FLAG_RETURN_NOMATCH): in a set of a type with <c>nomatch</c> entries the
/// lookup matches where it finds a <c>nomatch</c> entry and not where it finds an ordinary one; in other types, and
/// for the members of a <c>list:set</c> of other types, it changes nothing (ip_set_test in ip_set_core.c).
/// iptables-save prints it after <c>--match-set</c>, so it recompiles the set match just read.
/// </summary>
internal static class SetModule
{
    /// <summary>The kernel's limit on flags (IPSET_DIM_MAX).</summary>
    private const int MaxFlags = 6;

    public static ModuleOptionResult Read(ModuleContext context, string module, string option, bool negate)
    {
        switch (option)
        {
            case "--match-set" or "--set":
                if (context.Value(out var name) is { } problem || context.Value(out var flags) is { } problem2)
                {
                    return ModuleOptionResult.Broken($"'{option}' needs a set name and flags");
                }

                context.Matches.Add(Compile(context.Sets, name, flags, negate));
                return ModuleOptionResult.Done;
            case "--update-counters" or "--update-subcounters" when negate:
                return ModuleOptionResult.Done;
            case "--return-nomatch" when !negate && context.Matches is [.., SetLookupMatch { ReturnsNomatch: false } last]:
                context.Matches[^1] = Compile(context.Sets, last.Name, last.Flags, last.Negate, returnNomatch: true);
                return ModuleOptionResult.Done;
            default:
                return ModuleOptionResult.NotUnderstood;
        }
    }

    internal static RuleMatch Compile(IpsetCatalog? sets, string name, string flagsText, bool negate, bool returnNomatch = false)
    {
        var text = $"--match-set {name} {flagsText}{(returnNomatch ? " --return-nomatch" : string.Empty)}";
        var flags = flagsText.Split(',');
        if (flags.Length > MaxFlags || flags.Any(f => f is not ("src" or "dst")))
        {
            return new UnknownMatch($"{text} (flags)");
        }

        if (sets is null)
        {
            return new UnknownMatch($"{text} (set contents not read)");
        }

        if (!sets.Sets.TryGetValue(name, out var set))
        {
            return new UnknownMatch($"{text} (no set '{name}' in ipset save)");
        }

        var sources = flags.Select(f => f == "src").ToArray();
        var lookups = new List<ConcatMatch>();
        foreach (var member in set.IsList ? set.Members.Select(m => sets.Sets.GetValueOrDefault(m)) : [set])
        {
            if (member is null || member.IsList || member.Unsupported is not null)
            {
                var why = member is null ? "a member set missing from ipset save" : member.Unsupported ?? "a list:set in a list:set";
                return new UnknownMatch($"{text} ({why})");
            }

            if (Lookup(member, sources, returnNomatch && member.HasNomatch) is { } lookup)
            {
                lookups.Add(lookup);
            }
        }

        return new SetLookupMatch(name, lookups, negate) { Flags = flagsText, ReturnsNomatch = returnNomatch };
    }

    /// <summary>
    /// The lookup of the packet's fields the flags pick in <paramref name="set"/> (in what it finds <c>nomatch</c>
    /// entries for, with <paramref name="nomatchEntries"/>); null when it never matches (fewer flags than dimensions).
    /// </summary>
    private static ConcatMatch? Lookup(IpsetSet set, bool[] sources, bool nomatchEntries)
    {
        if (sources.Length < set.Dimensions.Count)
        {
            return null;
        }

        var fields = new List<PacketField>();
        for (var d = 0; d < set.Dimensions.Count; d++)
        {
            if (set.Dimensions[d] == IpsetDimension.Address)
            {
                fields.Add(sources[d] ? PacketField.SourceAddress : PacketField.DestinationAddress);
            }
            else if (set.Dimensions[d] == IpsetDimension.Interface)
            {
                fields.Add(sources[d] ? PacketField.InInterface : PacketField.OutInterface);
            }
            else
            {
                fields.Add(PacketField.L4Protocol);
                fields.Add(sources[d] ? PacketField.SourcePort : PacketField.DestinationPort);
            }
        }

        return new ConcatMatch(fields, nomatchEntries ? set.NomatchElements ?? [] : set.Elements);
    }
}
