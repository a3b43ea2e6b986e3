using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Iptables.Modules;

/// <summary><c>-m tcp|udp|sctp|dccp|udplite</c>: <c>--dport</c>, <c>--sport</c>, and for tcp <c>--syn</c> and <c>--tcp-flags</c>.</summary>
internal static class PortModules
{
    public static ModuleOptionResult Read(ModuleContext context, string module, string option, bool negate) => option switch
    {
        "--dport" or "--destination-port" => Port(context, PacketField.DestinationPort, negate),
        "--sport" or "--source-port" => Port(context, PacketField.SourcePort, negate),
        "--syn" when module == "tcp" => Syn(context, negate),
        "--tcp-flags" when module == "tcp" => TcpFlags(context, negate),
        _ => ModuleOptionResult.NotUnderstood,
    };

    /// <summary>One port or a <c>lo:hi</c> range.</summary>
    internal static ModuleOptionResult Port(ModuleContext context, PacketField field, bool negate) => context.WithValue(text =>
        context.Matches.Add(FirewallValueParser.TryPortRange(text, out var lo, out var hi)
            ? new FieldMatch(field, new NumericValues(IntervalSet.Range((UInt128)lo, (UInt128)hi)), negate)
            : new UnknownMatch($"port '{text}'")));

    private static ModuleOptionResult Syn(ModuleContext context, bool negate)
    {
        context.Matches.Add(new MaskedMatch(PacketField.TcpFlags, 0x17, PacketState.TcpSyn, negate ? MaskedComparison.NotEqual : MaskedComparison.Equal));
        return ModuleOptionResult.Done;
    }

    private static ModuleOptionResult TcpFlags(ModuleContext context, bool negate)
    {
        if (context.Value(out var maskText) is { } problem)
        {
            return ModuleOptionResult.Broken(problem);
        }

        if (context.Value(out var compText) is { } problem2)
        {
            return ModuleOptionResult.Broken(problem2);
        }

        context.Matches.Add(TryTcpFlags(maskText, out var mask) && TryTcpFlags(compText, out var comp)
            ? new MaskedMatch(PacketField.TcpFlags, mask, comp, negate ? MaskedComparison.NotEqual : MaskedComparison.Equal)
            : new UnknownMatch($"--tcp-flags {maskText} {compText}"));
        return ModuleOptionResult.Done;
    }

    private static bool TryTcpFlags(string text, out uint flags)
    {
        flags = 0;
        foreach (var name in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            flags |= name.ToUpperInvariant() switch
            {
                "FIN" => 0x01u,
                "SYN" => 0x02u,
                "RST" => 0x04u,
                "PSH" => 0x08u,
                "ACK" => 0x10u,
                "URG" => 0x20u,
                "ECE" => 0x40u,
                "CWR" => 0x80u,
                "ALL" => 0xFFu,
                "NONE" => 0u,
                _ => 0x100u,
            };
        }

        return flags <= 0xFF;
    }
}
