using System.Globalization;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Firewall;
using PortExporter.Firewall.Firewalld;
using PortExporter.Firewall.Ipset;

namespace PortExporter.Core.Diagnosis.Rules;

/// <summary>
/// A: the host's ruleset drops or rejects a new connection from outside. With firewalld running, the fix is made
/// in firewalld's terms, in the zone the outside connection lands in: a rule added with nft or iptables into
/// firewalld's own rules is gone at its next reload.
/// </summary>
public sealed class FirewallBlockedRule : IDiagnosisRule
{
    private const string Check = "firewall";

    public Cause Cause => Cause.FirewallBlocked;

    public RuleOutcome Evaluate(PortSpec port, EvidenceSnapshot evidence)
    {
        if (IntentGate.Unless(port, Check, "from outside", PortExpose.Public) is { } notPromised)
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

        if (port.From.Count > 0 && result.OutsideConnection?.Source is { } source && !port.From.Any(r => r.Contains(source)))
        {
            return RuleOutcome.Skipped(Check, $"the simulated outside source {source} is not in from: {string.Join(", ", port.From)}; only those must get through");
        }

        var outside = result.Outside;
        var firewalld = result.FirewalldExplanation;
        var confirm = ConfirmCommand(outside, port, firewalld);
        if (outside.Verdict == FirewallVerdict.Unknown)
        {
            return RuleOutcome.Missing(Check, $"verdict unknown: {Where(outside)}", confirm);
        }

        if (outside.Blocks)
        {
            var inside = result.Inside.Blocks ? "inside is blocked too" : "open from inside";
            var verb = outside.Verdict == FirewallVerdict.Reject ? "rejects" : "drops";
            var zone = firewalld is null ? string.Empty : $"; firewalld: {firewalld.Text}";
            var managed = firewalld is null ? outside.Backend : $"{outside.Backend}, managed by firewalld";
            return RuleOutcome.Cause(
                Check,
                $"outside: {outside.Verdict.ToString().ToLowerInvariant()} by {Where(outside)}; {inside}{zone}",
                confirm,
                $"The firewall ({managed}) {verb} new connections from outside to {Diagnoser.Describe(port)}: {Where(outside)}; {inside}{zone}.",
                firewalld is null ? SetFix(outside, result.OutsideConnection?.Source) ?? Fix(outside, port) : FirewalldFix(outside, port, firewalld));
        }

        return RuleOutcome.Clear(Check, $"outside: accept ({Where(outside)})", confirm);
    }

    private static string Where(FirewallDecision d) =>
        (d.Table.Length == 0 ? d.Rule : $"{d.Backend} table {d.Table} chain {d.Chain}: {d.Rule}") + (d.Path is { } path ? $" (path: {path})" : string.Empty);

    private static string ConfirmCommand(FirewallDecision d, PortSpec port, FirewalldExplanation? firewalld)
    {
        var p = port.Port.ToString(CultureInfo.InvariantCulture);
        if (firewalld is not null)
        {
            return $"firewall-cmd --get-active-zones; firewall-cmd --zone={firewalld.Zone} --list-all";
        }

        return d.Backend switch
        {
            FirewallBackends.Nftables => $"nft -a list ruleset | grep -n -e 'dport' -e 'policy' -e '{p}'",
            _ when d.Backend.StartsWith("ip6tables", StringComparison.Ordinal) => $"ip6tables -L {Chain(d)} -n -v --line-numbers",
            _ => $"iptables -L {Chain(d)} -n -v --line-numbers",
        };
    }

    private static string Chain(FirewallDecision d) => d.Chain.Length == 0 ? "INPUT" : d.Chain;

    private static string Fix(FirewallDecision d, PortSpec port)
    {
        // A forwarded connection meets the forward rules with its translated destination (the container's address and port).
        var p = (d.ForwardedTo?.Port ?? port.Port).ToString(CultureInfo.InvariantCulture);
        var proto = port.Protocol.ToLabel();
        var to = d.ForwardedTo?.Address;
        var forwarded = to is null ? string.Empty : $"The connection is forwarded to {d.ForwardedTo} (path: {d.Path}); allow it there, by its translated destination: ";
        var v6 = d.Backend.StartsWith("ip6tables", StringComparison.Ordinal);
        return forwarded + d.Backend switch
        {
            FirewallBackends.Nftables => $"Allow it before the deciding rule, e.g. nft insert rule <family> {(d.Table.Length == 0 ? "<table>" : d.Table)} {(d.Chain.Length == 0 ? "<chain>" : d.Chain)} {(to is null ? string.Empty : $"{(to.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "ip6" : "ip")} daddr {to} ")}{proto} dport {p} accept; then persist it in /etc/nftables.conf (rules as code).",
            _ => $"{(v6 ? "ip6tables" : "iptables")} -I {Chain(d)} {(to is null ? string.Empty : $"-d {to} ")}-p {proto} --dport {p} -j ACCEPT; then save it (iptables-save > /etc/iptables/rules.v4) and keep the rule set as code.",
        };
    }

    /// <summary>A block by a set of sources (an ipset, an nft set, a fail2ban ban): the fix is in the set, for that source.</summary>
    private static string? SetFix(FirewallDecision d, System.Net.IPAddress? source) =>
        SetBlock.Of(d) is { } block ? block.Fix(source?.ToString() ?? "the client's address") : null;

    /// <summary>
    /// The fix on a firewalld host: open the port in the zone the connection lands in, permanently, and reload.
    /// When that zone opens it already, the block is a firewalld rule beyond ports and services (a rich rule, a
    /// policy) or a rule of another table, named by the deciding rule.
    /// </summary>
    private static string FirewalldFix(FirewallDecision d, PortSpec port, FirewalldExplanation firewalld)
    {
        var what = $"{port.Port.ToString(CultureInfo.InvariantCulture)}/{port.Protocol.ToLabel()}";
        var open = $"firewall-cmd --permanent --zone={firewalld.Zone} --add-port={what} && firewall-cmd --reload";
        if (!firewalld.Opens)
        {
            return FirewalldRules.Made(d)
                ? $"{open} (zone {firewalld.Zone}: {firewalld.Binding}; a rule added with nft or iptables is lost at firewalld's next reload)."
                : $"{open} (zone {firewalld.Zone}: {firewalld.Binding}); the deciding rule is not firewalld's: also {Fix(d, port)}";
        }

        return FirewalldRules.Made(d)
            ? $"Zone {firewalld.Zone} opens {what}, but a firewalld rule drops it ({Where(d)}): look at firewall-cmd --zone={firewalld.Zone} --list-rich-rules and firewall-cmd --list-all-policies, change it with firewall-cmd --permanent, then firewall-cmd --reload."
            : Fix(d, port);
    }
}
