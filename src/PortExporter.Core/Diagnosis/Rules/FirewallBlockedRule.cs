using System.Globalization;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Firewall;
using PortExporter.Firewall.Firewalld;
using PortExporter.Firewall.Ipset;
using PortExporter.Firewall.Model;
using PortExporter.Firewall.Ufw;

namespace PortExporter.Core.Diagnosis.Rules;

/// <summary>
/// A: the host's ruleset drops or rejects a new connection from a source the port must be reachable from: each
/// <c>from:</c> range when the port has them; else, for <c>public</c>, the outside default
/// (<c>firewall.external_source</c>) and, for <c>internal</c>, a client on an internal network. Blocking any other
/// source is the intent working, never a finding. With firewalld running, the fix is made in firewalld's terms, in
/// the zone the connection lands in: a rule added with nft or iptables into firewalld's own rules is gone at its
/// next reload. With ufw enabled and the block its own (a rule in its chains, or the default policy it set), the fix
/// is a <c>ufw</c> command, for the same reason.
/// </summary>
public sealed class FirewallBlockedRule : IDiagnosisRule
{
    private const string Check = "firewall";

    public Cause Cause => Cause.FirewallBlocked;

    public RuleOutcome Evaluate(PortSpec port, EvidenceSnapshot evidence)
    {
        if (IntentGate.Unless(port, Check, "from other hosts", PortExpose.Public, PortExpose.Internal) is { } notPromised)
        {
            return notPromised;
        }

        if (evidence.Firewall is not { } firewall)
        {
            return RuleOutcome.Missing(Check, $"firewall evidence {evidence.WhyMissing(CollectorNames.Firewall)}");
        }

        if (!firewall.Ports.TryGetValue(port.Key, out var result))
        {
            return RuleOutcome.Missing(Check, "no verdict for the port");
        }

        var promised = result.Promised(port);
        if (promised.Count == 0)
        {
            return RuleOutcome.Missing(Check, $"no verdict for the ranges of from: {string.Join(", ", port.From.Select(r => r.ToCidr()))}");
        }

        var others = Others(port, result);
        if (promised.FirstOrDefault(s => s.Decision.Blocks) is { } blocked)
        {
            return Blocked(port, result, blocked, others, firewall.Backends.Contains(FirewallBackends.Ufw) && UfwRules.Made(blocked.Decision), BothIptables(firewall.Backends));
        }

        var confirm = ConfirmCommand(promised[0].Decision, port, promised[0].Firewalld, firewall.Backends.Contains(FirewallBackends.Ufw), BothIptables(firewall.Backends));
        if (promised.FirstOrDefault(s => s.Decision.Verdict == FirewallVerdict.Unknown) is { } unknown)
        {
            return RuleOutcome.Missing(Check, $"{Who(unknown)}: verdict unknown: {Where(unknown.Decision)}{Detail(unknown.Decision)}", confirm);
        }

        var accepted = string.Join("; ", promised.Select(s => $"{Who(s)}: accept ({Where(s.Decision)})"));
        return RuleOutcome.Clear(Check, others.Length == 0 ? accepted : $"{accepted}; {others}", confirm);
    }

    /// <summary>The verdicts for the other sources, as context: blocking them is no finding.</summary>
    private static string Others(PortSpec port, FirewallPortResult result)
    {
        var promised = result.Promised(port).Select(s => s.Source).ToHashSet(StringComparer.Ordinal);
        return string.Join("; ", result.Sources.Where(s => !promised.Contains(s.Source)).Select(s => $"{Who(s)}: {s.Decision.Verdict.ToString().ToLowerInvariant()}"));
    }

    /// <summary>
    /// True when the host has legacy (x_tables) tables beside nf_tables ones: there, plain <c>iptables</c> reaches one of
    /// the two only (whichever the alternatives system points at), so commands name the backend that holds the rule.
    /// </summary>
    private static bool BothIptables(IReadOnlyList<string> backends) =>
        backends.Any(b => b is FirewallBackends.IptablesLegacy or FirewallBackends.Ip6tablesLegacy)
        && backends.Any(b => b is FirewallBackends.Nftables or FirewallBackends.IptablesNft or FirewallBackends.Ip6tablesNft);

    /// <summary>
    /// The command that manages the iptables rules of <paramref name="d"/>: <c>iptables</c> or <c>ip6tables</c>, or,
    /// where both kinds of tables exist (<paramref name="both"/>), the deciding backend's own (<c>iptables-legacy</c>).
    /// </summary>
    private static string IptablesTool(FirewallDecision d, bool v6, bool both) =>
        both && d.Backend is FirewallBackends.IptablesLegacy or FirewallBackends.Ip6tablesLegacy or FirewallBackends.IptablesNft or FirewallBackends.Ip6tablesNft
            ? d.Backend
            : v6 ? "ip6tables" : "iptables";

    private static RuleOutcome Blocked(PortSpec port, FirewallPortResult result, SourceVerdict blocked, string others, bool ufw, bool bothIptables)
    {
        var d = blocked.Decision;
        var firewalld = blocked.Firewalld;
        var verb = d.Verdict == FirewallVerdict.Reject ? "rejects" : "drops";
        var done = d.Verdict == FirewallVerdict.Reject ? "rejected" : "dropped";
        var zone = firewalld is null ? string.Empty : $"; firewalld: {firewalld.Text}";
        var managed = firewalld is not null ? $"{d.Backend}, managed by firewalld" : ufw ? $"{d.Backend}, managed by ufw" : d.Backend;
        var must = $"must be reachable from {Promise(port, blocked)}";
        var context = blocked.Source == SourceVerdict.OutsideSource
            ? (result.Inside.Blocks ? "inside is blocked too" : "open from inside")
            : others;
        var tail = $"{Detail(d)}{(context.Length == 0 ? string.Empty : $"; {context}")}{zone}";
        return RuleOutcome.Cause(
            Check,
            $"{must}: {done} by {Where(d)} ({blocked.Describe()}){tail}",
            ConfirmCommand(d, port, firewalld, ufw, bothIptables),
            $"{Diagnoser.Describe(port)} {must} (expose {port.Expose.ToLabel()}, {port.Origin.ToLabel()}): {done} by {Where(d)}. {(d.Backend is Network.ForwardingSysctls.VerdictBackend or Network.KernelRouting.VerdictBackend ? $"The kernel ({d.Backend})" : $"The firewall ({managed})")} {verb} new connections {From(blocked)} ({blocked.Describe()}){tail}.",
            NeighbourDiscoveryFix(d, bothIptables) ?? SysctlFix(d, blocked.Connection) ?? RoutingFix(d, blocked) ?? ReversePathRuleFix(d, blocked.Connection) ?? (firewalld is not null ? FirewalldFix(d, port, firewalld, bothIptables, blocked)
                : SetFix(d, blocked.Connection?.Source) ?? (ufw ? UfwFix(d, port, blocked) : Fix(d, port, bothIptables, blocked))));
    }

    /// <summary>What the port promises for <paramref name="source"/>: a range, outside, or the internal networks.</summary>
    private static string Promise(PortSpec port, SourceVerdict source) =>
        source.Source == SourceVerdict.OutsideSource ? "outside"
        : source.Source == SourceVerdict.InsideSource ? (port.Expose == PortExpose.Internal ? "the internal networks" : "inside")
        : source.Source;

    private static string Who(SourceVerdict s) =>
        s.Source == SourceVerdict.OutsideSource || s.Source == SourceVerdict.InsideSource ? s.Source : $"from {s.Source}";

    private static string From(SourceVerdict s) =>
        s.Source == SourceVerdict.OutsideSource ? "from outside"
        : s.Source == SourceVerdict.InsideSource ? "from inside"
        : $"from {s.Source}";

    private static string Detail(FirewallDecision d) => d.Detail is { } detail ? $"; {detail}" : string.Empty;

    private static string Where(FirewallDecision d) =>
        (d.Table.Length == 0 ? d.Rule : $"{d.Backend} table {d.Table} chain {d.Chain}: {d.Rule}") + (d.Path is { } path ? $" (path: {path})" : string.Empty);

    private static string ConfirmCommand(FirewallDecision d, PortSpec port, FirewalldExplanation? firewalld, bool ufw, bool bothIptables)
    {
        var p = port.Port.ToString(CultureInfo.InvariantCulture);
        if (firewalld is not null)
        {
            return $"firewall-cmd --get-active-zones; firewall-cmd --zone={firewalld.Zone} --list-all";
        }

        if (ufw && UfwRules.Made(d))
        {
            return "ufw status verbose; ufw status numbered";
        }

        return d.Backend switch
        {
            Network.ForwardingSysctls.VerdictBackend when Sysctl(d) is var sysctl && sysctl.EndsWith(".rp_filter", StringComparison.Ordinal) =>
                $"sysctl {(sysctl == "net.ipv4.conf.all.rp_filter" ? sysctl : $"net.ipv4.conf.all.rp_filter {sysctl}")}; ip route; ip rule",
            Network.ForwardingSysctls.VerdictBackend when Sysctl(d).EndsWith(".route_localnet", StringComparison.Ordinal) =>
                $"sysctl net.ipv4.conf.all.route_localnet {Sysctl(d)}; iptables -t nat -S PREROUTING; nft list ruleset | grep -n dnat",
            Network.ForwardingSysctls.VerdictBackend => $"sysctl {Sysctl(d)} net.ipv4.ip_forward net.ipv6.conf.all.forwarding",
            Network.KernelRouting.VerdictBackend when NoRouteBack(d) =>
                Question(d).Contains(':', StringComparison.Ordinal) ? $"{Question(d)}; ip -6 route; ip -6 rule" : $"{Question(d)}; ip route; ip rule",
            Network.KernelRouting.VerdictBackend when Question(d).Contains(':', StringComparison.Ordinal) =>
                $"{Question(d)}; ip -6 rule; ip -6 route show table all | grep -e blackhole -e unreachable -e prohibit",
            Network.KernelRouting.VerdictBackend => $"{Question(d)}; ip rule; ip route show table all | grep -e blackhole -e unreachable -e prohibit",
            FirewallBackends.Nftables when d.NeighbourDiscovery is not null => "nft -a list ruleset | grep -n -e 'icmpv6' -e 'policy'",
            FirewallBackends.Nftables => $"nft -a list ruleset | grep -n -e 'dport' -e 'policy' -e '{p}'",
            _ => $"{IptablesTool(d, d.Backend.StartsWith("ip6tables", StringComparison.Ordinal), bothIptables)} -L {Chain(d)} -n -v --line-numbers",
        };
    }

    private static string Chain(FirewallDecision d) => d.Chain.Length == 0 ? "INPUT" : d.Chain;

    private static string Fix(FirewallDecision d, PortSpec port, bool bothIptables, SourceVerdict? source = null)
    {
        // A forwarded connection meets the forward rules with its translated destination (the container's address and port).
        var p = (d.ForwardedTo?.Port ?? port.Port).ToString(CultureInfo.InvariantCulture);
        var proto = port.Protocol.ToLabel();
        var to = d.ForwardedTo?.Address;
        var forwarded = to is null ? string.Empty : $"The connection is forwarded to {d.ForwardedTo} (path: {d.Path}); allow it there, by its translated destination: ";
        var range = RangeOf(source);
        var v6 = range?.Contains(':', StringComparison.Ordinal) == true
            || to?.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            || d.Backend.StartsWith("ip6tables", StringComparison.Ordinal);
        // The internal networks: by the interface they come in on, which keeps the port closed to outside.
        var lan = source?.Source == SourceVerdict.InsideSource && source.Connection is { Interface: var i } && i != "lo" ? i : null;
        var nftFrom = range is not null ? $"{(v6 ? "ip6" : "ip")} saddr {range} " : lan is not null ? $"iifname \"{lan}\" " : string.Empty;
        var nftTo = to is null ? string.Empty : $"{(v6 ? "ip6" : "ip")} daddr {to} ";
        var iptFrom = range is not null ? $"-s {range} " : lan is not null ? $"-i {lan} " : string.Empty;
        var iptTo = to is null ? string.Empty : $"-d {to} ";
        return forwarded + d.Backend switch
        {
            FirewallBackends.Nftables => $"Allow it before the deciding rule, e.g. nft insert rule {(d.Family is { } family ? family.ToLabel() : "<family>")} {(d.Table.Length == 0 ? "<table>" : d.Table)} {(d.Chain.Length == 0 ? "<chain>" : d.Chain)} {nftFrom}{nftTo}{proto} dport {p} accept; then persist it in /etc/nftables.conf (rules as code).",
            _ => $"{IptablesTool(d, v6, bothIptables)} -I {Chain(d)} {iptFrom}{iptTo}-p {proto} --dport {p} -j ACCEPT; then save it ({IptablesTool(d, v6, bothIptables)}-save > /etc/iptables/rules.v{(v6 ? 6 : 4)}) and keep the rule set as code.",
        };
    }

    /// <summary>
    /// IPv6 neighbour discovery dropped (<see cref="FirewallDecision.NeighbourDiscovery"/>): admit its two messages
    /// before the deciding rule, in that rule's table and chain (or with ip6tables); they come from the link only (hop
    /// limit 255), so this opens nothing else. Null for any other decision.
    /// </summary>
    private static string? NeighbourDiscoveryFix(FirewallDecision d, bool bothIptables)
    {
        if (d.NeighbourDiscovery is null)
        {
            return null;
        }

        const string persist = "then persist it with the rule set (rules as code): without neighbour discovery no IPv6 client reaches any port of this host.";
        if (d.Backend == FirewallBackends.Nftables)
        {
            return $"Allow neighbour discovery before the deciding rule: nft insert rule {(d.Family is { } family ? family.ToLabel() : "inet")} {(d.Table.Length == 0 ? "<table>" : d.Table)} {(d.Chain.Length == 0 ? "<chain>" : d.Chain)} icmpv6 type {{ nd-neighbor-solicit, nd-neighbor-advert }} ip6 hoplimit 255 accept; {persist}";
        }

        var tool = IptablesTool(d, v6: true, bothIptables);
        return $"Allow neighbour discovery before the deciding rule: {tool} -I {Chain(d)} -p ipv6-icmp --icmpv6-type neighbour-solicitation -m hl --hl-eq 255 -j ACCEPT; {tool} -I {Chain(d)} -p ipv6-icmp --icmpv6-type neighbour-advertisement -m hl --hl-eq 255 -j ACCEPT; {persist}";
    }

    /// <summary>
    /// A connection a sysctl drops, not a rule: one the kernel does not forward (forwarding off), or one the reverse path
    /// filter drops because the route back leaves by another interface (a second uplink, an address on a second interface).
    /// </summary>
    private static string? SysctlFix(FirewallDecision d, PortExporter.Firewall.Evaluation.SimulatedConnection? connection)
    {
        if (d.Backend != Network.ForwardingSysctls.VerdictBackend)
        {
            return null;
        }

        var sysctl = Sysctl(d);
        if (d.DeliveredTo is { } loopback && System.Net.IPAddress.IsLoopback(loopback.Address))
        {
            return sysctl.EndsWith(".route_localnet", StringComparison.Ordinal)
                ? $"Have the service listen where outside traffic arrives and point the DNAT there, or let the kernel route it to loopback: sysctl -w {sysctl}=1, persisted in /etc/sysctl.d/ (anything on 127.0.0.1 then becomes reachable through such DNATs: keep them to the published ports)."
                : $"Point the DNAT at an address outside clients may be routed to (one of the host's, with the service listening there): {d.Rule}.";
        }

        if (!sysctl.EndsWith(".rp_filter", StringComparison.Ordinal))
        {
            return $"Turn forwarding on: sysctl -w {sysctl}=1, and persist it in /etc/sysctl.d/ (Docker and Kubernetes set it at start; something turned it off since). Forwarding also lets the host route other traffic: keep the forward chain's policy on drop and allow only what is published.";
        }

        var ingress = connection?.Interface ?? "IF";
        var loose = sysctl == $"net.ipv4.conf.{ingress}.rp_filter" ? $"sysctl -w {sysctl}=2" : $"sysctl -w net.ipv4.conf.all.rp_filter=2 (the stricter of all and {ingress} applies)";
        return RouteBackFix(connection, $"make the reverse path filter loose on it: {loose}, persisted in /etc/sysctl.d/");
    }

    /// <summary>
    /// A connection the kernel's routing refuses: a blackhole, unreachable or prohibit route or policy rule on the way
    /// in or on the replies' way back, the reverse path filter where policy routing decides the route back, or no route
    /// back at all to a range the config names.
    /// </summary>
    private static string? RoutingFix(FirewallDecision d, SourceVerdict blocked)
    {
        if (d.Backend != Network.KernelRouting.VerdictBackend)
        {
            return null;
        }

        var connection = blocked.Connection;
        var ip = connection?.IpVersion == 6 ? "ip -6" : "ip";
        if (NoRouteBack(d))
        {
            const string Keep = "Make it permanent where the network configuration is kept (systemd-networkd, netplan, NetworkManager, /etc/network/interfaces) so a reboot does not lose it again, and find what removed it (a DHCP client, a VPN, a network restart).";
            if (RangeOf(blocked) is not { } range)
            {
                return $"Restore the default route the outside clients' replies left by (the summary names its interface): {ip} route add default via <gateway> dev <interface>. {Keep}";
            }

            var ingress = connection?.Interface ?? "IF";
            return $"Give the host a route back to {range}: {ip} route add {range} via <the gateway on {ingress}> dev {ingress}, or restore the default route if it was lost ({ip} route add default via <gateway>). {Keep}";
        }

        return d.Rule.Contains("reverse path filter", StringComparison.Ordinal)
            ? RouteBackFix(connection, "make the reverse path filter loose on it (sysctl -w net.ipv4.conf.all.rp_filter=2, persisted in /etc/sysctl.d/)")
            : $"Find the route or policy rule that refuses it ({Question(d)} names the answer; {ip} rule shows the rules in the order the kernel tries them, {ip} route show table all the blackhole, unreachable and prohibit routes): delete it or make it spare this address ({ip} rule del pref N; {ip} route del TYPE PREFIX table T), and fix it where the network configuration is kept (systemd-networkd, netplan, NetworkManager, /etc/network/interfaces) so a reboot does not bring it back.";
    }

    /// <summary>A <c>routing</c> verdict whose answer is no route at all (a <c>from:</c> range, or outside once the default route is gone).</summary>
    private static bool NoRouteBack(FirewallDecision d) => d.Rule.EndsWith($": {Network.RouteAnswer.NoRouteName}", StringComparison.Ordinal);

    /// <summary>The <c>ip route get</c> question a <c>routing</c> verdict answers (its rule reads <c>QUESTION: ANSWER</c>).</summary>
    private static string Question(FirewallDecision d) => d.Rule.Split(": ", 2)[0];

    /// <summary>The sysctl a <c>sysctl</c> verdict names (its rule reads <c>NAME = VALUE</c>).</summary>
    private static string Sysctl(FirewallDecision d) => d.Rule.Split(' ', 2)[0];

    /// <summary>A rule of the ruleset that drops by a reverse path lookup (nft <c>fib saddr . iif oif missing</c>, <c>-m rpfilter --invert</c>).</summary>
    private static string? ReversePathRuleFix(FirewallDecision d, PortExporter.Firewall.Evaluation.SimulatedConnection? connection) =>
        d.Table.Length > 0 && (d.Rule.Contains("fib saddr", StringComparison.Ordinal) || d.Rule.Contains("-m rpfilter", StringComparison.Ordinal))
            ? RouteBackFix(connection, $"exempt {connection?.Interface ?? "the interface"} from that reverse path rule ({d.Backend} table {d.Table} chain {d.Chain}; firewalld: IPv6_rpfilter)")
            : null;

    /// <summary>The fix for a connection dropped because the route back to its client leaves by another interface.</summary>
    private static string RouteBackFix(PortExporter.Firewall.Evaluation.SimulatedConnection? connection, string otherwise)
    {
        var ingress = connection?.Interface ?? "IF";
        var address = connection?.Destination.ToString() ?? "ADDRESS";
        var ip = connection?.IpVersion == 6 ? "ip -6" : "ip";
        return $"Send the replies back by {ingress}, where the clients come in: route by source address ({ip} rule add from {address} table 100; {ip} route add default via <{ingress}'s gateway> dev {ingress} table 100), or {otherwise}. Without the routing fix the replies still leave by the other interface, where an upstream stateful firewall or anti-spoofing filter may drop them.";
    }

    /// <summary>A block by a set of sources (an ipset, an nft set, a fail2ban ban): the fix is in the set, for that source.</summary>
    private static string? SetFix(FirewallDecision d, System.Net.IPAddress? source) =>
        SetBlock.Of(d) is { } block ? block.Fix(source?.ToString() ?? "the client's address") : null;

    /// <summary>
    /// The fix on a firewalld host: open the port in the zone the connection lands in, permanently, and reload.
    /// When that zone opens it already, the block is a firewalld rule beyond ports and services (a rich rule, a
    /// policy) or a rule of another table, named by the deciding rule.
    /// </summary>
    private static string FirewalldFix(FirewallDecision d, PortSpec port, FirewalldExplanation firewalld, bool bothIptables, SourceVerdict source)
    {
        var what = $"{port.Port.ToString(CultureInfo.InvariantCulture)}/{port.Protocol.ToLabel()}";
        var range = RangeOf(source);
        var open = range is null
            ? $"firewall-cmd --permanent --zone={firewalld.Zone} --add-port={what} && firewall-cmd --reload"
            : $"firewall-cmd --permanent --zone={firewalld.Zone} --add-rich-rule='rule family=\"{(range.Contains(':', StringComparison.Ordinal) ? "ipv6" : "ipv4")}\" source address=\"{range}\" port port=\"{port.Port.ToString(CultureInfo.InvariantCulture)}\" protocol=\"{port.Protocol.ToLabel()}\" accept' && firewall-cmd --reload";
        if (!firewalld.Opens)
        {
            return FirewalldRules.Made(d)
                ? $"{open} (zone {firewalld.Zone}: {firewalld.Binding}; a rule added with nft or iptables is lost at firewalld's next reload)."
                : $"{open} (zone {firewalld.Zone}: {firewalld.Binding}); the deciding rule is not firewalld's: also {Fix(d, port, bothIptables, source)}";
        }

        return FirewalldRules.Made(d)
            ? $"Zone {firewalld.Zone} opens {what}, but a firewalld rule drops it ({Where(d)}): look at firewall-cmd --zone={firewalld.Zone} --list-rich-rules and firewall-cmd --list-all-policies, change it with firewall-cmd --permanent, then firewall-cmd --reload."
            : Fix(d, port, bothIptables, source);
    }

    /// <summary>
    /// The fix on a ufw host when ufw made the block: a ufw rule (kept in /etc/ufw/user.rules across <c>ufw reload</c>
    /// and boots), put before the user's own deny when one decided, or a route rule for a forwarded connection.
    /// </summary>
    private static string UfwFix(FirewallDecision d, PortSpec port, SourceVerdict source)
    {
        var proto = port.Protocol.ToLabel();
        var from = RangeOf(source) ?? "any";
        if (d.ForwardedTo is { } to)
        {
            return $"ufw route allow proto {proto} from {from} to {to.Address} port {to.Port.ToString(CultureInfo.InvariantCulture)} (the connection is forwarded: {d.Path}); a rule added with iptables is lost at the next ufw reload.";
        }

        var p = port.Port.ToString(CultureInfo.InvariantCulture);
        var allow = from == "any" ? $"allow {p}/{proto}" : $"allow from {from} to any port {p} proto {proto}";
        return UfwRules.IsUserRule(d)
            ? $"A ufw rule of the host's own {(d.Verdict == FirewallVerdict.Reject ? "rejects" : "denies")} it ({d.Rule}): find it with ufw status numbered and delete it (ufw delete NUM), or put an allow before it: ufw insert 1 {allow}. A rule added with iptables is lost at the next ufw reload."
            : $"ufw {allow} (ufw keeps it across ufw reload and boots; a rule added with iptables is lost at the next ufw reload).";
    }

    /// <summary>The <c>from:</c> range <paramref name="source"/> stands for, or null for outside / inside.</summary>
    private static string? RangeOf(SourceVerdict? source) =>
        source is null || source.Source == SourceVerdict.OutsideSource || source.Source == SourceVerdict.InsideSource ? null : source.Source;
}
