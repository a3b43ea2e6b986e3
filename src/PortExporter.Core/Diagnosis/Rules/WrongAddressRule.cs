using System.Net.Sockets;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Sockets;

namespace PortExporter.Core.Diagnosis.Rules;

/// <summary>
/// C: the port listens, but not on the address outside clients reach (the <c>bind</c> address, a local
/// <c>external</c> address, or the default-route interface's address), or, with no <c>bind</c>, only on the IPv6 ones
/// of a host outside IPv4 clients reach as well. A port with <c>from:</c> ranges is judged by the addresses their
/// clients dial alone (an IPv6 range and a service on IPv4 only; a range on an internal network and a service on the
/// outside address), an internal one by the address its inside clients dial.
/// </summary>
public sealed class WrongAddressRule : IDiagnosisRule
{
    private const string Check = "bind (outside address)";

    public Cause Cause => Cause.WrongAddress;

    public RuleOutcome Evaluate(PortSpec port, EvidenceSnapshot evidence)
    {
        if (IntentGate.Unless(port, Check, "from outside", PortExpose.Public, PortExpose.Internal) is { } notPromised)
        {
            return notPromised;
        }

        if (evidence.Sockets is not { } sockets)
        {
            return RuleOutcome.Missing(Check, $"socket evidence {evidence.WhyMissing(CollectorNames.Sockets)}");
        }

        var listeners = sockets.For(port.Key).Where(l => l.Scope != ListenerScope.Loopback).ToList();
        if (listeners.Count == 0)
        {
            return RuleOutcome.Skipped(Check, "no non-loopback listener");
        }

        // A port with from: ranges is promised to them alone: the addresses their clients dial are the ones that count.
        return port.From.Count > 0
            ? UnservedRange(port, listeners, evidence) ?? RuleOutcome.Clear(Check, $"listening on {ListenerFacts.DescribeAll(listeners, evidence)}, where each from: range's clients arrive")
            : port.Expose == PortExpose.Internal ? Inside(port, listeners, evidence) : Outside(port, listeners, evidence);
    }

    /// <summary>A public port: its listeners against the addresses outside clients dial.</summary>
    private static RuleOutcome Outside(PortSpec port, List<Listener> listeners, EvidenceSnapshot evidence)
    {
        var outside = ListenerFacts.OutsideAddresses(port, evidence);
        if (outside.Count == 0)
        {
            return RuleOutcome.Clear(Check, $"no outside address known; listening on {ListenerFacts.DescribeAll(listeners, evidence)}");
        }

        var served = outside.Where(a => listeners.Any(l => ListenerFacts.Serves(l, a, evidence.Network))).ToList();
        if (served.Count == 0)
        {
            var seen = ListenerFacts.DescribeAll(listeners, evidence);
            var want = string.Join(", ", outside);
            return RuleOutcome.Cause(
                Check,
                $"listens on {seen}; outside traffic arrives on {want}",
                $"{ListenerFacts.SsCommand(port)}; ip -br addr",
                $"{Diagnoser.Describe(port)} listens on {seen}, not on {want} where outside traffic arrives.",
                Fix(port, outside, listeners, want, evidence));
        }

        // Served over IPv6 only while outside IPv4 clients reach the host too (an [::] socket with IPV6_V6ONLY, an IPv6
        // address): they are refused. Most outside clients have IPv4; an IPv6-only service names its address in bind.
        // Auto-watch's inferred intent is what it saw first, so a port first seen that way is no finding.
        var unservedV4 = outside.Where(a => a.AddressFamily == AddressFamily.InterNetwork && !served.Contains(a)).ToList();
        if (port.Bind is null && port.Origin == IntentOrigin.Config && unservedV4.Count > 0 && served.All(a => a.AddressFamily == AddressFamily.InterNetworkV6))
        {
            var seen = ListenerFacts.DescribeAll(listeners, evidence);
            var v4 = string.Join(", ", unservedV4);
            return RuleOutcome.Cause(
                Check,
                $"listens on {seen}; reachable from outside over IPv6 only: IPv4 clients to {v4} are refused",
                $"{ListenerFacts.SsCommand(port)}; ip -br addr",
                $"{Diagnoser.Describe(port)} listens on {seen}: outside clients reach it over IPv6 ({string.Join(", ", served)}), but IPv4 clients, to {v4}, are refused.",
                Fix(port, outside, listeners, v4, evidence));
        }

        return RuleOutcome.Clear(Check, $"reachable on {string.Join(", ", served)}");
    }

    /// <summary>
    /// An internal port: the inside clients dial the host's address on their network (the one the firewall's inside
    /// verdict is for); a service that listens on no internal network's address (only on the outside one) refuses them.
    /// </summary>
    private static RuleOutcome Inside(PortSpec port, List<Listener> listeners, EvidenceSnapshot evidence)
    {
        var seen = ListenerFacts.DescribeAll(listeners, evidence);
        if (evidence.Firewall?.Ports.GetValueOrDefault(port.Key)?.InsideConnection is not { } inside
            || inside.Interface == Network.HostNetwork.LoopbackInterface || evidence.Network?.OwnerOf(inside.Destination) is null)
        {
            return RuleOutcome.Clear(Check, $"no internal network known; listening on {seen}");
        }

        // Served on the address of any internal network is enough: on a host with several (a VPN, a second VLAN),
        // clients of one network may reach the service's address on another through this host.
        var to = inside.Destination;
        var version = to.AddressFamily == AddressFamily.InterNetworkV6 ? 6 : 4;
        var own = evidence.Network!.InternalNetworks(version).SelectMany(n => n.Interface.Addresses.Where(n.Subnet.Contains)).Prepend(to);
        if (own.FirstOrDefault(a => listeners.Any(l => ListenerFacts.Serves(l, a, evidence.Network))) is { } served)
        {
            return RuleOutcome.Clear(Check, $"reachable from inside on {served}");
        }

        return RuleOutcome.Cause(
            Check,
            $"listens on {seen}; inside clients arrive on {to} ({inside.Interface}), where it does not listen",
            $"{ListenerFacts.SsCommand(port)}; ip -br addr",
            $"{Diagnoser.Describe(port)} must be internal, but listens on {seen}, and its inside clients reach the host on {to} ({inside.Interface}), where nothing listens: they are refused.",
            $"Bind the service to {to} (its internal address), or to {(to.AddressFamily == AddressFamily.InterNetworkV6 ? "[::]" : "0.0.0.0")} with new connections from outside dropped by the firewall, and restart it.");
    }

    /// <summary>
    /// The cause when a <c>from:</c> range's clients dial an address of this host that no listener serves (the plan
    /// gives them the address of the interface whose network holds the range, else the outside one, of the range's
    /// family); null when none does.
    /// </summary>
    private static RuleOutcome? UnservedRange(PortSpec port, List<Listener> listeners, EvidenceSnapshot evidence)
    {
        var range = evidence.Firewall?.Ports.GetValueOrDefault(port.Key)?.From.FirstOrDefault(r => r.Connection is { } c
            && evidence.Network?.OwnerOf(c.Destination) is not null && !listeners.Any(l => ListenerFacts.Serves(l, c.Destination, evidence.Network)));
        if (range?.Connection is not { } connection)
        {
            return null;
        }

        var seen = ListenerFacts.DescribeAll(listeners, evidence);
        var to = connection.Destination;
        return RuleOutcome.Cause(
            Check,
            $"listens on {seen}; clients from {range.Source} arrive on {to}, where it does not listen",
            $"{ListenerFacts.SsCommand(port)}; ip -br addr",
            $"{Diagnoser.Describe(port)} listens on {seen}, but its clients from {range.Source} reach the host on {to}, where nothing listens: they are refused.",
            Fix(port, [to], listeners, to.ToString(), evidence));
    }

    /// <summary>The bind address to ask for: the configured one; else a wildcard of the family outside traffic uses.</summary>
    private static string Fix(PortSpec port, IReadOnlyList<System.Net.IPAddress> outside, List<Listener> listeners, string want, EvidenceSnapshot evidence)
    {
        // Bound to an interface outside traffic does not arrive on (SO_BINDTODEVICE), on an address that would serve.
        if (listeners.Any(l => l.Device is not null && outside.Any(a => ListenerFacts.Serves(l with { Device = null }, a, evidence.Network))))
        {
            var arrives = outside.Select(a => evidence.Network?.InterfaceOf(a)).OfType<string>().Distinct().ToList();
            var onto = arrives.Count == 0 ? string.Empty : $" (or to {string.Join(", ", arrives)}, where outside traffic arrives)";
            return $"Bind the service's socket to no interface{onto}: drop SO_BINDTODEVICE (systemd: BindToDevice=; the service's bind-to-interface option) and restart it.";
        }

        if (ListenerFacts.RepublishFix(port, listeners, evidence, port.Bind is null ? "0.0.0.0" : want) is { } republish)
        {
            return republish;
        }

        if (port.Bind is not null)
        {
            return $"Change the service's bind address to {want} and restart it.";
        }

        var needsIPv6 = outside.Any(a => a.AddressFamily == AddressFamily.InterNetworkV6);
        var needsIPv4 = outside.Any(a => a.AddressFamily == AddressFamily.InterNetwork);
        if (needsIPv4 && listeners.Any(l => l is { Scope: ListenerScope.Wildcard, IsIPv6: true, V6Only: true }))
        {
            return "Turn IPV6_V6ONLY off on the service's [::] socket (or also bind 0.0.0.0) and restart it.";
        }

        return needsIPv6
            ? $"Change the service's bind address to [::] (dual-stack, IPV6_V6ONLY off){(needsIPv4 ? string.Empty : $" or {want}")} and restart it."
            : "Change the service's bind address to 0.0.0.0 and restart it.";
    }
}
