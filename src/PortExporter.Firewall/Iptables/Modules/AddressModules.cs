using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Iptables.Modules;

/// <summary><c>-m addrtype --src-type/--dst-type</c> and <c>-m iprange --src-range/--dst-range</c>.</summary>
internal static class AddressModules
{
    public static ModuleOptionResult ReadAddressType(ModuleContext context, string module, string option, bool negate) => option is "--src-type" or "--dst-type"
        ? context.WithValue(text => context.Matches.Add(new AddressTypeMatch(option == "--src-type", ParseAddressTypes(text), negate)))
        : ModuleOptionResult.NotUnderstood;

    public static ModuleOptionResult ReadRange(ModuleContext context, string module, string option, bool negate) => option is "--src-range" or "--dst-range"
        ? context.WithValue(text => context.Matches.Add(Range(context.IpVersion, option, text, negate)))
        : ModuleOptionResult.NotUnderstood;

    private static AddressTypes ParseAddressTypes(string text)
    {
        var types = AddressTypes.None;
        foreach (var t in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            types |= t.ToUpperInvariant() switch
            {
                "LOCAL" => AddressTypes.Local,
                "UNICAST" => AddressTypes.Unicast,
                "BROADCAST" => AddressTypes.Broadcast,
                "MULTICAST" => AddressTypes.Multicast,
                _ => AddressTypes.Other,
            };
        }

        return types;
    }

    private static RuleMatch Range(int ipVersion, string option, string text, bool negate)
    {
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0 || !FirewallValueParser.TryAddress(text[..dash], ipVersion, out var lo) || !FirewallValueParser.TryAddress(text[(dash + 1)..], ipVersion, out var hi))
        {
            return new UnknownMatch($"{option} {text}");
        }

        var field = option == "--src-range" ? PacketField.SourceAddress : PacketField.DestinationAddress;
        return new FieldMatch(field, new NumericValues(IntervalSet.Range(PacketState.Encode(lo), PacketState.Encode(hi)), ipVersion), negate);
    }
}
