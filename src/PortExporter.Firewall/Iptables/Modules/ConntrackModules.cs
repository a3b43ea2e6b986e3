using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Iptables.Modules;

/// <summary><c>-m state --state</c> and <c>-m conntrack --ctstate / --ctstatus</c>.</summary>
internal static class ConntrackModules
{
    public static ModuleOptionResult Read(ModuleContext context, string module, string option, bool negate) => (module, option) switch
    {
        ("state", "--state") or ("conntrack", "--ctstate") => context.WithValue(text => context.Matches.Add(State(option, text, negate))),
        ("conntrack", "--ctstatus") => context.WithValue(text => context.Matches.Add(Status(text, negate))),
        _ => ModuleOptionResult.NotUnderstood,
    };

    private static RuleMatch State(string option, string text, bool negate)
    {
        var states = ConntrackStates.None;
        var dnat = false;
        foreach (var name in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (option == "--ctstate" && name.Equals("DNAT", StringComparison.OrdinalIgnoreCase))
            {
                dnat = true;
                continue;
            }

            if (!ConntrackStateNames.TryParse(name, out var s))
            {
                // The SNAT pseudo-state depends on a source NAT the walk does not follow: not known here.
                return new UnknownMatch($"{option} {text}");
            }

            states |= s;
        }

        return dnat
            ? new ConntrackStateOrDnatMatch(states, negate)
            : new FieldMatch(PacketField.ConntrackState, new ConntrackStateValues(states), negate);
    }

    private static RuleMatch Status(string text, bool negate)
    {
        uint bits = 0;
        foreach (var name in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            uint? bit = name.ToUpperInvariant() switch
            {
                "NONE" => 0,
                "EXPECTED" => 0x1,
                "SEEN_REPLY" => 0x2,
                "ASSURED" => 0x4,
                "CONFIRMED" => 0x8,
                _ => null,
            };
            if (bit is null)
            {
                return new UnknownMatch($"--ctstatus {text}");
            }

            bits |= bit.Value;
        }

        // NONE alone matches a status with none of those bits.
        return bits == 0
            ? new MaskedMatch(PacketField.ConntrackStatus, 0xF, 0, negate ? MaskedComparison.NotEqual : MaskedComparison.Equal)
            : new MaskedMatch(PacketField.ConntrackStatus, 0xF, bits, negate ? MaskedComparison.NoBit : MaskedComparison.AnyBit);
    }
}
