using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Iptables.Modules;

/// <summary><c>-m multiport</c>: <c>--dports</c>, <c>--sports</c> and <c>--ports</c> (either port), lists of ports and ranges.</summary>
internal static class MultiportModule
{
    public static ModuleOptionResult Read(ModuleContext context, string module, string option, bool negate) => option switch
    {
        "--dports" or "--destination-ports" => List(context, PacketField.DestinationPort, negate),
        "--sports" or "--source-ports" => List(context, PacketField.SourcePort, negate),
        "--ports" => context.WithValue(text => context.Matches.Add(FirewallValueParser.TryPortList(text) is { } set
            ? new PortEitherMatch(set, negate)
            : new UnknownMatch($"--ports {text}"))),
        _ => ModuleOptionResult.NotUnderstood,
    };

    private static ModuleOptionResult List(ModuleContext context, PacketField field, bool negate) => context.WithValue(text =>
        context.Matches.Add(FirewallValueParser.TryPortList(text) is { } set
            ? new FieldMatch(field, new NumericValues(set), negate)
            : new UnknownMatch($"port '{text}'")));
}
