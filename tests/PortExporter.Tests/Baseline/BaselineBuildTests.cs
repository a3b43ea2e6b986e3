using PortExporter.Core;
using PortExporter.Core.Baseline;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Firewall;
using PortExporter.Core.Processes;
using PortExporter.Core.Selinux;
using PortExporter.Core.Sockets;
using PortExporter.Tests.Diagnosis;

namespace PortExporter.Tests.Baseline;

/// <summary>Building the surface from an evidence snapshot: what goes in, what stays out, what is unknown.</summary>
public sealed class BaselineBuildTests
{
    [Fact]
    public void Writes_intent_listeners_verdicts_selinux_and_path_of_each_port()
    {
        var evidence = EvidenceFactory.Healthy() with { Firewall = EvidenceFactory.FirewallOf(EvidenceFactory.DropRule) };

        var port = Assert.Single(BaselineBuilder.Build(evidence, "web-1").Ports);

        Assert.Equal(new PortKey(8080, TransportProtocol.Tcp), port.Key);
        Assert.Equal(("web", "public", "config"), (port.Service, port.Expose, port.Origin));
        Assert.Equal([new ListenerSurface("0.0.0.0", "wildcard", "nginx")], port.Listeners);
        Assert.Equal(
            [
                new VerdictSurface("inside", "accept", "nftables inet filter input", "policy accept"),
                new VerdictSurface("outside", "drop", "nftables inet filter input", "iifname \"eth0\" tcp dport 8080 drop # handle 7"),
            ],
            port.Verdicts);
        Assert.Equal(BaselineFormat.None, port.SelinuxType);
        Assert.Equal(BaselineFormat.None, port.Unit);
        Assert.Empty(port.Paths);
    }

    [Fact]
    public void Leaves_out_pids_times_and_repeats_so_the_same_surface_gives_the_same_bytes()
    {
        var first = EvidenceFactory.Healthy() with
        {
            Sockets = EvidenceFactory.SocketsOf(EvidenceFactory.Listening("0.0.0.0", inode: 100), EvidenceFactory.Listening("0.0.0.0", inode: 101)),
            Processes = Owners((100, 4242), (101, 4243)),
        };
        var later = EvidenceFactory.Healthy() with
        {
            TakenAt = DateTimeOffset.UnixEpoch.AddDays(3),
            Sockets = EvidenceFactory.SocketsOf(EvidenceFactory.Listening("0.0.0.0", inode: 900)),
            Processes = Owners((900, 31337)),
        };

        var text = BaselineWriter.Write(BaselineBuilder.Build(first, "web-1"));

        Assert.Equal(text, BaselineWriter.Write(BaselineBuilder.Build(later, "web-1")));
        Assert.DoesNotContain("4242", text, StringComparison.Ordinal);
        Assert.DoesNotContain("1970", text, StringComparison.Ordinal);
        Assert.Single(BaselineBuilder.Build(first, "web-1").Ports.Single().Listeners);
    }

    [Fact]
    public void Sorts_ports_and_listeners_whatever_order_the_evidence_has()
    {
        var dns = new PortSpec("dns", 53, TransportProtocol.Udp);
        var ssh = new PortSpec("ssh", 22, TransportProtocol.Tcp);
        var a = EvidenceFactory.Healthy() with
        {
            Ports = [EvidenceFactory.WebPort, dns, ssh],
            Sockets = EvidenceFactory.SocketsOf(EvidenceFactory.Listening("::1", inode: 1), EvidenceFactory.Listening("0.0.0.0", inode: 2)),
        };
        var b = a with
        {
            Ports = [ssh, EvidenceFactory.WebPort, dns],
            Sockets = EvidenceFactory.SocketsOf(EvidenceFactory.Listening("0.0.0.0", inode: 2), EvidenceFactory.Listening("::1", inode: 1)),
        };

        var built = BaselineBuilder.Build(a, "h");

        Assert.Equal(["22/tcp", "53/udp", "8080/tcp"], built.Ports.Select(p => p.Key.ToString()));
        Assert.Equal(["0.0.0.0", "::1"], built.Ports[2].Listeners.Select(l => l.Address));
        Assert.Equal(BaselineWriter.Write(built), BaselineWriter.Write(BaselineBuilder.Build(b, "h")));
    }

    [Fact]
    public void Evidence_not_collected_is_unknown_not_none()
    {
        var evidence = EvidenceFactory.Healthy() with { Sockets = null, Firewall = null, Selinux = null, Processes = null };

        var port = BaselineBuilder.Build(evidence, "h").Ports.Single();

        Assert.Equal([new ListenerSurface("unknown", "unknown", "unknown")], port.Listeners);
        Assert.All(port.Verdicts, v => Assert.Equal("unknown", v.Verdict));
        Assert.Equal("unknown", port.SelinuxType);
    }

    [Fact]
    public void Writes_the_unit_state_the_selinux_type_and_the_nat_path()
    {
        var spec = EvidenceFactory.WebPort with { Unit = "nginx.service", External = [new HostPort("203.0.113.5", 80)] };
        var evidence = EvidenceFactory.Healthy() with
        {
            Ports = [spec],
            Processes = EvidenceFactory.ProcessesOf() with
            {
                SystemdAvailable = true,
                Units = new Dictionary<string, UnitState> { ["nginx.service"] = new("nginx.service", "active", "running") },
            },
            Firewall = new FirewallEvidence(
                ["nftables"],
                new Dictionary<PortKey, FirewallPortResult> { [spec.Key] = new(EvidenceFactory.Accept, EvidenceFactory.Accept, Redirect: "dnat to 10.0.0.2:80") },
                DateTimeOffset.UnixEpoch),
            Selinux = new SelinuxEvidence(true, SelinuxMode.Enforcing, SelinuxMode.Enforcing, new Dictionary<PortKey, SelinuxPortResult>
            {
                [spec.Key] = new("http_port_t", true, new Dictionary<string, long>(), null, null, true),
            }),
        };

        var port = BaselineBuilder.Build(evidence, "h").Ports.Single();

        Assert.Equal("nginx.service active", port.Unit);
        Assert.Equal("http_port_t", port.SelinuxType);
        Assert.Equal(["external 203.0.113.5:80", "redirect dnat to 10.0.0.2:80"], port.Paths);
    }

    [Fact]
    public void Writes_the_ruleset_fingerprints_sorted_by_backend()
    {
        var fingerprints = new[] { new RulesetFingerprint("nftables", new string('b', 64), 3), new RulesetFingerprint("iptables-legacy", new string('a', 64), 1) };
        var evidence = EvidenceFactory.Healthy() with { Firewall = EvidenceFactory.FirewallOf(EvidenceFactory.Accept) with { RulesetFingerprints = fingerprints } };

        Assert.Equal(["iptables-legacy", "nftables"], BaselineBuilder.Build(evidence, "h").Rulesets.Select(r => r.Backend));
    }

    [Theory]
    [InlineData("handle 12: tcp dport 8080 drop", "tcp dport 8080 drop")]
    [InlineData("rule 3: -A INPUT -p tcp -m tcp --dport 8080 -j DROP", "-A INPUT -p tcp -m tcp --dport 8080 -j DROP")]
    [InlineData("policy drop", "policy drop")]
    [InlineData("rule x: not a position", "rule x: not a position")]
    public void The_deciding_rule_is_written_without_its_handle_or_position(string label, string written)
    {
        var decision = EvidenceFactory.DropRule with { Rule = label };
        var evidence = EvidenceFactory.Healthy() with { Firewall = EvidenceFactory.FirewallOf(decision) };

        Assert.Equal(written, BaselineBuilder.Build(evidence, "h").Ports.Single().Verdicts.Single(v => v.Source == "outside").Rule);
    }

    private static ProcessEvidence Owners(params (ulong Inode, int Pid)[] owners) => EvidenceFactory.ProcessesOf() with
    {
        OwnersByInode = owners.ToDictionary(o => o.Inode, o => new ProcessInfo(o.Pid, "nginx", "nginx")),
    };
}
