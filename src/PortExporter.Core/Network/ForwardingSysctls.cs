using System.Globalization;
using PortExporter.Firewall.Evaluation;

namespace PortExporter.Core.Network;

/// <summary>
/// Whether the kernel forwards, as the routing decision reads it: IPv4 by the <c>forwarding</c> of the interface the
/// packet came in on (<c>net.ipv4.conf.IF.forwarding</c>; <c>net.ipv4.ip_forward</c> sets every interface's), IPv6
/// by <c>net.ipv6.conf.all.forwarding</c>. A null value was not readable (no data). Immutable.
/// </summary>
/// <param name="Ipv4">net.ipv4.ip_forward (conf/all).</param>
/// <param name="Ipv4ByInterface">net.ipv4.conf.IF.forwarding per interface, by name, sorted.</param>
/// <param name="Ipv6">net.ipv6.conf.all.forwarding.</param>
public sealed record ForwardingSysctls(bool? Ipv4, IReadOnlyList<KeyValuePair<string, bool>> Ipv4ByInterface, bool? Ipv6)
{
    /// <summary>The <c>backend</c> of a verdict the forwarding sysctls made (no ruleset involved).</summary>
    public const string VerdictBackend = "sysctl";

    /// <summary>Whether a packet that came in on <paramref name="ingress"/> is forwarded, with the sysctl that says so; null when unknown.</summary>
    public (bool Enabled, string Sysctl)? For(string ingress, int ipVersion)
    {
        if (ipVersion == 6)
        {
            return Ipv6 is { } v6 ? (v6, "net.ipv6.conf.all.forwarding") : null;
        }

        return Of(Ipv4ByInterface, ingress) is { } own ? (own, $"net.ipv4.conf.{ingress}.forwarding")
            : Ipv4 is { } v4 ? (v4, "net.ipv4.ip_forward") : null;
    }

    /// <summary>
    /// <c>net.ipv4.conf.all.route_localnet</c> and <c>net.ipv4.conf.IF.route_localnet</c> per interface, by name, sorted:
    /// whether a packet from outside may be routed to a loopback address (a DNAT to 127.0.0.1); the kernel lets it
    /// when either of the two of its interface is on. Null, empty: not read.
    /// </summary>
    public bool? RouteLocalnet { get; init; }

    /// <inheritdoc cref="RouteLocalnet"/>
    public IReadOnlyList<KeyValuePair<string, bool>> RouteLocalnetByInterface { get; init; } = [];

    /// <summary>The value <paramref name="values"/> hold for <paramref name="name"/>, or null when they hold none.</summary>
    private static bool? Of(IReadOnlyList<KeyValuePair<string, bool>> values, string name)
    {
        foreach (var (key, value) in values)
        {
            if (string.Equals(key, name, StringComparison.Ordinal))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>True when both hold the same values.</summary>
    public bool SameAs(ForwardingSysctls? other) =>
        other is not null && Ipv4 == other.Ipv4 && Ipv6 == other.Ipv6 && Ipv4ByInterface.SequenceEqual(other.Ipv4ByInterface)
        && RouteLocalnet == other.RouteLocalnet && RouteLocalnetByInterface.SequenceEqual(other.RouteLocalnetByInterface);

    /// <summary>
    /// Reads the sysctls under <paramref name="sysNet"/> (<c>&lt;procfs&gt;/sys/net</c>, which shows the reader's own
    /// namespace) for <paramref name="interfaces"/>; null when <c>ipv4/ip_forward</c> does not exist (a fixture tree).
    /// </summary>
    public static ForwardingSysctls? Read(string sysNet, IEnumerable<string> interfaces)
    {
        ArgumentNullException.ThrowIfNull(interfaces);
        var v4 = Flag(SysctlFiles.Read(Path.Combine(sysNet, "ipv4", "ip_forward")));
        if (v4 is null)
        {
            return null;
        }

        var names = interfaces.ToList();
        return new ForwardingSysctls(v4, Flags(sysNet, names, "forwarding"), Flag(SysctlFiles.Read(Path.Combine(sysNet, "ipv6", "conf", "all", "forwarding"))))
        {
            RouteLocalnet = Flag(SysctlFiles.Read(Path.Combine(sysNet, "ipv4", "conf", "all", "route_localnet"))),
            RouteLocalnetByInterface = Flags(sysNet, names, "route_localnet"),
        };
    }

    private static List<KeyValuePair<string, bool>> Flags(string sysNet, IEnumerable<string> interfaces, string leaf) =>
        [.. SysctlFiles.PerInterface(sysNet, interfaces, leaf)
            .Where(x => Flag(x.Value) is not null)
            .Select(x => KeyValuePair.Create(x.Key, Flag(x.Value)!.Value))];

    /// <summary>
    /// The verdict for an outside connection a DNAT sends to a loopback address of this host
    /// (<see cref="FirewallDecision.DeliveredTo"/>): the kernel drops it as a martian unless route_localnet is on for
    /// its interface (IPv4; IPv6 never routes ::1 from outside). Any other decision, or route_localnet not read, is
    /// returned as it is. Pure.
    /// </summary>
    public static FirewallDecision GateLoopback(FirewallDecision decision, SimulatedConnection? connection, ForwardingSysctls? sysctls)
    {
        ArgumentNullException.ThrowIfNull(decision);
        if (connection is null || decision.DeliveredTo is not { } to || !System.Net.IPAddress.IsLoopback(to.Address)
            || connection.Interface == HostNetwork.LoopbackInterface || decision.Verdict != FirewallVerdict.Accept)
        {
            return decision;
        }

        string sysctl;
        if (connection.IpVersion == 6)
        {
            sysctl = "IPv6 routes no packet from outside to ::1";
        }
        else if (sysctls?.RouteLocalnet is not { } all)
        {
            return decision;
        }
        else
        {
            if (all || Of(sysctls.RouteLocalnetByInterface, connection.Interface) == true)
            {
                return decision;
            }

            sysctl = $"net.ipv4.conf.{connection.Interface}.route_localnet = 0";
        }

        return new FirewallDecision(FirewallVerdict.Drop, VerdictBackend, string.Empty, string.Empty, sysctl)
        {
            Detail = string.Create(CultureInfo.InvariantCulture, $"the DNAT sends the connection to {to} on loopback, and the kernel drops a packet from {connection.Interface} to a loopback address as a martian ({sysctl})"),
            Path = $"{decision.Path ?? "prerouting"} -> martian destination",
            DeliveredTo = to,
        };
    }

    /// <summary>
    /// The verdict for a connection a DNAT sends to another address (<see cref="FirewallDecision.ForwardedTo"/>) when
    /// the kernel does not forward what came in on its interface: the routing decision fails before any forward rule and
    /// the packet is dropped without an answer (IPv4's ip_error sends no ICMP error when the interface does not forward;
    /// IPv6's ip6_forward drops); and for one a DNAT delivers to loopback, <see cref="GateLoopback"/>. Any other
    /// decision is returned as it is. Pure.
    /// </summary>
    public static FirewallDecision Gate(FirewallDecision decision, SimulatedConnection? connection, ForwardingSysctls? forwarding) =>
        GateLoopback(GateForwarding(decision, connection, forwarding), connection, forwarding);

    private static FirewallDecision GateForwarding(FirewallDecision decision, SimulatedConnection? connection, ForwardingSysctls? forwarding)
    {
        ArgumentNullException.ThrowIfNull(decision);
        if (forwarding is null || connection is null || decision.ForwardedTo is not { } to || connection.Interface == HostNetwork.LoopbackInterface
            || forwarding.For(connection.Interface, connection.IpVersion) is not { Enabled: false } off)
        {
            return decision;
        }

        var path = decision.Path is { } p && p.IndexOf(" -> forward", StringComparison.Ordinal) is var at and >= 0 ? p[..at] : decision.Path ?? "prerouting";
        return new FirewallDecision(FirewallVerdict.Drop, VerdictBackend, string.Empty, string.Empty, $"{off.Sysctl} = 0")
        {
            Detail = string.Create(CultureInfo.InvariantCulture, $"the DNAT sends the connection to {to}, but the kernel does not forward what comes in on {connection.Interface} ({off.Sysctl} = 0): it is not routed on"),
            Path = $"{path} -> not forwarded ({off.Sysctl} = 0)",
            ForwardedTo = to,
            ForwardedToChoices = decision.ForwardedToChoices,
        };
    }

    private static bool? Flag(int? value) => value switch
    {
        0 => false,
        1 or 2 => true,
        _ => null,
    };
}
