using System.Globalization;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Firewall;

namespace PortExporter.Core.Diagnosis.Rules;

/// <summary>A: the host's ruleset drops or rejects a new connection from outside.</summary>
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
        var confirm = ConfirmCommand(outside, port);
        if (outside.Verdict == FirewallVerdict.Unknown)
        {
            return RuleOutcome.Missing(Check, $"verdict unknown: {Where(outside)}", confirm);
        }

        if (outside.Blocks)
        {
            var inside = result.Inside.Blocks ? "inside is blocked too" : "open from inside";
            var verb = outside.Verdict == FirewallVerdict.Reject ? "rejects" : "drops";
            return RuleOutcome.Cause(
                Check,
                $"outside: {outside.Verdict.ToString().ToLowerInvariant()} by {Where(outside)}; {inside}",
                confirm,
                $"The firewall ({outside.Backend}) {verb} new connections from outside to {Diagnoser.Describe(port)}: {Where(outside)}; {inside}.",
                Fix(outside, port));
        }

        return RuleOutcome.Clear(Check, $"outside: accept ({Where(outside)})", confirm);
    }

    private static string Where(FirewallDecision d) =>
        d.Table.Length == 0 ? d.Rule : $"{d.Backend} table {d.Table} chain {d.Chain}: {d.Rule}";

    private static string ConfirmCommand(FirewallDecision d, PortSpec port)
    {
        var p = port.Port.ToString(CultureInfo.InvariantCulture);
        return d.Backend switch
        {
            "nftables" => $"nft -a list ruleset | grep -n -e 'dport' -e 'policy' -e '{p}'",
            "firewalld" => "firewall-cmd --list-all; firewall-cmd --list-ports",
            _ when d.Backend.StartsWith("ip6tables", StringComparison.Ordinal) => $"ip6tables -L {Chain(d)} -n -v --line-numbers",
            _ => $"iptables -L {Chain(d)} -n -v --line-numbers",
        };
    }

    private static string Chain(FirewallDecision d) => d.Chain.Length == 0 ? "INPUT" : d.Chain;

    private static string Fix(FirewallDecision d, PortSpec port)
    {
        var p = port.Port.ToString(CultureInfo.InvariantCulture);
        var proto = port.Protocol.ToLabel();
        return d.Backend switch
        {
            "firewalld" => $"firewall-cmd --permanent --add-port={p}/{proto} && firewall-cmd --reload",
            "nftables" => $"Allow it before the deciding rule, e.g. nft insert rule <family> {(d.Table.Length == 0 ? "<table>" : d.Table)} {(d.Chain.Length == 0 ? "<chain>" : d.Chain)} {proto} dport {p} accept; then persist it in /etc/nftables.conf (rules as code).",
            _ => $"{(d.Backend.StartsWith("ip6tables", StringComparison.Ordinal) ? "ip6tables" : "iptables")} -I {Chain(d)} -p {proto} --dport {p} -j ACCEPT; then save it (iptables-save > /etc/iptables/rules.v4) and keep the rule set as code.",
        };
    }
}
