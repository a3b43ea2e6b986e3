using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Iptables.Modules;

/// <summary>Matches on the packet's metadata: <c>-m mark --mark</c>, <c>-m pkttype --pkt-type</c>, <c>-m rpfilter</c>.</summary>
internal static class PacketModules
{
    public static ModuleOptionResult ReadMark(ModuleContext context, string module, string option, bool negate) => option == "--mark"
        ? context.WithValue(text => context.Matches.Add(FirewallValueParser.TryMark(text, out var value, out var mask)
            ? new MaskedMatch(PacketField.Mark, mask, value & mask, negate ? MaskedComparison.NotEqual : MaskedComparison.Equal)
            : new UnknownMatch($"--mark {text}")))
        : ModuleOptionResult.NotUnderstood;

    public static ModuleOptionResult ReadPacketType(ModuleContext context, string module, string option, bool negate) => option == "--pkt-type"
        ? context.WithValue(text => context.Matches.Add(PacketType(text) is { } type
            ? new FieldMatch(PacketField.PacketType, new NumericValues(IntervalSet.One(type)), negate)
            : new UnknownMatch($"--pkt-type {text}")))
        : ModuleOptionResult.NotUnderstood;

    /// <summary>The simulated packet arrives on the interface its source routes back through: reverse path passes.</summary>
    public static ModuleOptionResult ReadReversePath(ModuleContext context, string module, string option, bool negate)
    {
        switch (option)
        {
            case "--invert":
                // Matches the packets the check fails (iptables-save writes --loose before --invert).
                context.Matches.Add(new ReversePathMatch(incomingOnly: !context.Args.Contains("--loose"), exists: false, negate: false));
                return ModuleOptionResult.Done;
            case "--loose" or "--validmark" or "--accept-local":
                return ModuleOptionResult.Done;
            default:
                return ModuleOptionResult.NotUnderstood;
        }
    }

    private static uint? PacketType(string text) => text switch
    {
        "unicast" or "host" => 0,
        "broadcast" => 1,
        "multicast" => 2,
        "otherhost" => 3,
        _ => null,
    };
}
