using System.Globalization;
using PortExporter.Firewall.Evaluation;

namespace PortExporter.Firewall.Firewalld;

/// <summary>
/// Says, in firewalld's own terms, whether the zone an outside connection lands in opens its port: "zone public
/// (interfaces eth0) does not open 8080/tcp". The zone is chosen as firewalld does: a zone bound to the source
/// address first, then the zone of the incoming interface, then the default zone. Rich rules are not evaluated;
/// when one names the port, the sentence says so. The authoritative verdict stays the one of the ruleset firewalld
/// generated. Pure.
/// </summary>
public static class FirewalldExplainer
{
    public static FirewalldExplanation? Explain(FirewalldConfiguration configuration, SimulatedConnection connection)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(connection);
        var zone = ZoneFor(configuration, connection, out var how);
        if (zone is null)
        {
            return null;
        }

        var proto = connection.Protocol.ToLabel();
        var port = connection.Port.ToString(CultureInfo.InvariantCulture);
        var what = $"{port}/{proto}";
        var bound = zone.Interfaces.Count > 0 ? $"interfaces {string.Join(',', zone.Interfaces)}" : how;
        var name = $"zone {zone.Name} ({bound})";
        FirewalldExplanation Said(bool opens, string text) => new(zone.Name, bound, opens, text);
        if (zone.Target == "ACCEPT")
        {
            return Said(true, $"{name} accepts everything (target ACCEPT)");
        }

        if (zone.Ports.FirstOrDefault(p => Opens(p, connection)) is { } openPort)
        {
            return Said(true, $"{name} opens {what} (port {openPort})");
        }

        foreach (var service in zone.Services)
        {
            if (configuration.ServicePorts.TryGetValue(service, out var ports) && ports.Any(p => Opens(p, connection)))
            {
                return Said(true, $"{name} opens {what} (service {service})");
            }
        }

        if (zone.Protocols.Contains(proto))
        {
            return Said(true, $"{name} opens all of {proto} (protocol {proto})");
        }

        var rich = zone.RichRules.Where(r => r.Contains($"port=\"{port}\"", StringComparison.Ordinal) || r.Contains($"port port=\"{port}\"", StringComparison.Ordinal)).ToList();
        var opened = $"ports: {(zone.Ports.Count == 0 ? "none" : string.Join(' ', zone.Ports))}; services: {(zone.Services.Count == 0 ? "none" : string.Join(' ', zone.Services))}";
        var target = zone.Target switch
        {
            "DROP" => "; target DROP drops the rest",
            "%%REJECT%%" or "REJECT" => "; target REJECT rejects the rest",
            _ => string.Empty,
        };
        return Said(false, rich.Count > 0
            ? $"{name} does not open {what} by port or service ({opened}), but a rich rule names it: {rich[0]}"
            : $"{name} does not open {what} ({opened}{target})");
    }

    private static FirewalldZone? ZoneFor(FirewalldConfiguration configuration, SimulatedConnection connection, out string how)
    {
        foreach (var zone in configuration.Zones)
        {
            foreach (var source in zone.Sources)
            {
                if (FirewallValueParser.TryCidr(source, connection.IpVersion, out _, out var lo, out var hi))
                {
                    var value = Model.PacketState.Encode(connection.Source);
                    if (value >= lo && value <= hi)
                    {
                        how = $"source {source}";
                        return zone;
                    }
                }
            }
        }

        var byInterface = configuration.Zones.FirstOrDefault(z => z.Interfaces.Contains(connection.Interface));
        if (byInterface is not null)
        {
            how = $"interface {connection.Interface}";
            return byInterface;
        }

        how = $"default zone, interface {connection.Interface} is bound to none";
        return configuration.Zones.FirstOrDefault(z => z.IsDefault);
    }

    private static bool Opens(string portSpec, SimulatedConnection connection)
    {
        var slash = portSpec.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || portSpec[(slash + 1)..] != connection.Protocol.ToLabel())
        {
            return false;
        }

        return FirewallValueParser.TryPortRange(portSpec[..slash], out var lo, out var hi) && connection.Port >= lo && connection.Port <= hi;
    }
}
