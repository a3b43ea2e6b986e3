using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Iptables.Modules;

/// <summary><c>-m icmp --icmp-type</c> and <c>-m icmp6 --icmpv6-type</c>: only ICMP packets carry a type.</summary>
internal static class IcmpModules
{
    public static ModuleOptionResult Read(ModuleContext context, string module, string option, bool negate) => (module, option) is ("icmp", "--icmp-type") or ("icmp6", "--icmpv6-type")
        ? context.WithValue(type => Type(context, module == "icmp6", option, type, negate))
        : ModuleOptionResult.NotUnderstood;

    private static void Type(ModuleContext context, bool v6, string option, string type, bool negate)
    {
        // A TCP/UDP connection fails here; the code is not compared.
        context.Matches.Add(new FieldMatch(PacketField.L4Protocol, new NumericValues(IntervalSet.One(v6 ? 58u : 1u))));
        if (type == "any")
        {
            return;
        }

        if (!FirewallValueParser.TryIcmpType(type, v6, out var number, out var hasCode))
        {
            context.Matches.Add(new UnknownMatch($"{option} {type}"));
            return;
        }

        context.Matches.Add(new FieldMatch(PacketField.IcmpType, new NumericValues(IntervalSet.One(number)), negate));
        if (hasCode)
        {
            context.Matches.Add(new UnknownMatch($"{option} {type} (code)"));
        }
    }
}
