using System.Text.Json;
using PortExporter.Tests.EndToEnd;
using PortExporter.Tests.Support;
using static PortExporter.Tests.EndToEnd.MetricsText;

namespace PortExporter.Tests.Intent;

/// <summary>
/// Each intent, kept and broken, on real kernel state: the built exporter in a fresh namespace with an outside link
/// (the default route) and an internal link, real listeners and a real nftables ruleset.
/// </summary>
public sealed class IntentLabTests
{
    /// <summary>How long a changed host may take to show: a collection is reused for 1 s, the ruleset re-read every 1 s.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    [Fact]
    public void Local_port_on_loopback_is_ok_and_rebound_to_the_wildcard_is_exposed()
    {
        using var lab = new Lab();
        var admin = lab.Ns.Start("socat", "TCP-LISTEN:8081,bind=127.0.0.1,reuseaddr,fork", "SYSTEM:echo admin");
        lab.Ns.WaitForListener(8081);
        var exporter = lab.Exporter("""
            ports:
              - name: admin
                port: 8081
                expose: local
            """);

        var m = WaitFor(exporter, "admin", "ok");
        Assert.DoesNotContain(Series(m, "port_diagnosis_findings"), s => s.Contains("service=\"admin\"", StringComparison.Ordinal));
        Assert.Equal(1, Value(m, "port_intent_info", ("service", "admin"), ("expose", "local"), ("origin", "config")));

        admin.Kill(entireProcessTree: true);
        admin.WaitForExit();
        lab.Ns.Start("socat", "TCP-LISTEN:8081,bind=0.0.0.0,reuseaddr,fork", "SYSTEM:echo admin");
        lab.Ns.WaitForListener(8081);
        WaitFor(exporter, "admin", "exposed");

        var port = lab.Diagnose("admin");
        Assert.Contains("must be reachable on this host only", port.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Contains("0.0.0.0:8081", port.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Internal_port_behind_an_internal_allowlist_is_ok_and_after_a_flush_is_exposed()
    {
        using var lab = new Lab();
        lab.Ns.Start("socat", "TCP-LISTEN:5432,bind=0.0.0.0,reuseaddr,fork", "SYSTEM:echo db");
        lab.Ns.WaitForListener(5432);
        lab.Ruleset("iifname \"eth1\" tcp dport 5432 accept");
        var exporter = lab.Exporter("""
            ports:
              - name: db
                port: 5432
                expose: internal
            """);

        // Kept: the outside default is dropped by the policy, the inside client (10.88.0.2 on eth1) is let in.
        var m = WaitFor(exporter, "db", "ok");
        Assert.Equal(1, Value(m, "port_firewall_verdict_info", ("service", "db"), ("source", "outside"), ("verdict", "drop")));
        Assert.Equal(1, Value(m, "port_firewall_verdict_info", ("service", "db"), ("source", "inside"), ("verdict", "accept"), ("rule", "handle 4: iifname \\\"eth1\\\" tcp dport 5432 accept")));

        // The internal allowlist gone: the internal networks cannot reach it any more.
        lab.Ruleset("iifname \"eth0\" tcp dport 5432 drop");
        WaitFor(exporter, "db", "firewall_blocked");
        Assert.StartsWith("db (5432/tcp) must be reachable from the internal networks (expose internal, config): dropped by nftables table filter chain input: policy drop", lab.Diagnose("db").GetProperty("summary").GetString(), StringComparison.Ordinal);

        lab.Ns.Exec("nft", "flush", "ruleset");
        WaitFor(exporter, "db", "exposed");

        var summary = lab.Diagnose("db").GetProperty("summary").GetString();
        Assert.Contains("must be internal (config), but is reachable from outside", summary, StringComparison.Ordinal);
        Assert.Contains("the firewall accepts new connections from outside", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_service_bound_to_the_internal_interface_keeps_an_internal_promise_and_breaks_a_public_one()
    {
        // Both sockets on 0.0.0.0 but bound to eth1 (SO_BINDTODEVICE, systemd's BindToDevice=): the kernel refuses what
        // arrives on eth0, so outside clients are refused while /proc/net shows a wildcard listener.
        using var lab = new Lab();
        lab.Ns.Start("socat", "TCP-LISTEN:8080,bind=0.0.0.0,so-bindtodevice=eth1,reuseaddr,fork", "SYSTEM:echo web");
        lab.Ns.Start("socat", "TCP-LISTEN:5432,bind=0.0.0.0,so-bindtodevice=eth1,reuseaddr,fork", "SYSTEM:echo db");
        lab.Ns.WaitForListener(8080);
        lab.Ns.WaitForListener(5432);
        var exporter = lab.Exporter("""
            ports:
              - name: web
                port: 8080
              - name: db
                port: 5432
                expose: internal
            """);

        var m = WaitFor(exporter, "web", "wrong_address");
        WaitFor(exporter, "db", "ok");
        Assert.Equal(1, Value(m, "port_listener_info", ("service", "web"), ("address", "0.0.0.0%eth1"), ("scope", "wildcard")));
        Assert.Equal(0, Value(m, "port_exposed", ("service", "db")));

        var web = lab.Diagnose("web");
        Assert.Contains("listens on 0.0.0.0%eth1:8080 (wildcard, bound to interface eth1", web.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Contains("drop SO_BINDTODEVICE", web.GetProperty("fix").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Public_port_allowlisted_to_a_partner_range_is_ok_and_firewall_blocked_once_the_partner_is_dropped()
    {
        using var lab = new Lab();
        lab.Ns.Start("socat", "TCP-LISTEN:8080,bind=0.0.0.0,reuseaddr,fork", "SYSTEM:echo web");
        lab.Ns.WaitForListener(8080);
        lab.Ruleset("ip saddr 198.51.100.0/24 tcp dport 8080 accept");
        var exporter = lab.Exporter("""
            ports:
              - name: web
                port: 8080
                from: [198.51.100.0/24]
            """);

        // The host-wide outside default (203.0.113.1) is dropped by the policy: not a finding, it is not in from:.
        var m = WaitFor(exporter, "web", "ok");
        Assert.Equal(1, Value(m, "port_firewall_verdict_info", ("service", "web"), ("source", "outside"), ("verdict", "drop")));
        Assert.Equal(1, Value(m, "port_firewall_verdict_info", ("service", "web"), ("source", "198.51.100.0/24"), ("verdict", "accept")));
        Assert.DoesNotContain(Series(m, "port_diagnosis_findings"), s => s.Contains("service=\"web\"", StringComparison.Ordinal));

        lab.Ruleset("ip saddr 198.51.100.0/24 tcp dport 8080 drop");
        m = WaitFor(exporter, "web", "firewall_blocked");
        Assert.Equal(1, Value(m, "port_firewall_verdict_info", ("service", "web"), ("source", "198.51.100.0/24"), ("verdict", "drop")));
        var port = lab.Diagnose("web");
        Assert.StartsWith(
            "web (8080/tcp) must be reachable from 198.51.100.0/24 (expose public, config): dropped by nftables table filter chain input: handle 4: ip saddr 198.51.100.0/24 tcp dport 8080 drop.",
            port.GetProperty("summary").GetString(),
            StringComparison.Ordinal);
        var partner = port.GetProperty("firewall").EnumerateArray().Single(f => f.GetProperty("source").GetString() == "198.51.100.0/24");
        Assert.Equal("drop", partner.GetProperty("verdict").GetString());
        Assert.Equal(["198.51.100.1", "198.51.100.254"], partner.GetProperty("addresses").EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public void Public_port_allowlisted_to_an_ipv6_range_is_ok_and_firewall_blocked_when_the_rules_split_the_range()
    {
        using var lab = new Lab();
        lab.Ns.Exec("ip", "-6", "addr", "add", "2001:db8:77::1/64", "dev", "eth0", "nodad");
        lab.Ns.Exec("ip", "-6", "route", "add", "default", "via", "2001:db8:77::254");
        lab.Ns.Start("socat", "TCP6-LISTEN:8443,bind=[::],ipv6only=0,reuseaddr,fork", "SYSTEM:echo api");
        lab.Ns.WaitForListener(8443);
        lab.Ruleset("ip6 saddr 2001:db8:aa::/48 tcp dport 8443 accept");
        var exporter = lab.Exporter("""
            ports:
              - name: api
                port: 8443
                from: ["2001:db8:aa::/48"]
            """);

        var m = WaitFor(exporter, "api", "ok");
        Assert.Equal(1, Value(m, "port_firewall_verdict_info", ("service", "api"), ("source", "2001:db8:aa::/48"), ("verdict", "accept")));
        Assert.Equal(1, Value(m, "port_firewall_verdict_info", ("service", "api"), ("source", "outside"), ("verdict", "drop")));

        // Only the range's first /64 still gets through: its other end (2001:db8:aa:ffff:...) is dropped.
        lab.Ruleset("ip6 saddr 2001:db8:aa::/64 tcp dport 8443 accept");
        WaitFor(exporter, "api", "firewall_blocked");
        var summary = lab.Diagnose("api").GetProperty("summary").GetString();
        Assert.StartsWith("api (8443/tcp) must be reachable from 2001:db8:aa::/48 (expose public, config): dropped by nftables table filter chain input: policy drop", summary, StringComparison.Ordinal);
        Assert.Contains("the rules tell the range apart: 2001:db8:aa::1 accept, 2001:db8:aa:ffff:ffff:ffff:ffff:ffff drop", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Public_port_allowlisted_to_an_ipv6_range_is_wrong_address_while_it_listens_on_ipv4_only()
    {
        using var lab = new Lab();
        lab.Ns.Exec("ip", "-6", "addr", "add", "2001:db8:77::1/64", "dev", "eth0", "nodad");
        lab.Ns.Exec("ip", "-6", "route", "add", "default", "via", "2001:db8:77::254");
        lab.Outside.Exec("ip", "-6", "addr", "add", "2001:db8:77::254/64", "dev", "eth0", "nodad");
        lab.Outside.Exec("ip", "-6", "addr", "add", "2001:db8:aa::7/128", "dev", "lo", "nodad");
        var v4 = lab.Ns.Start("socat", "TCP4-LISTEN:8443,bind=0.0.0.0,reuseaddr,fork", "SYSTEM:echo api");
        lab.Ns.WaitForListener(8443);
        var exporter = lab.Exporter("""
            ports:
              - name: api
                port: 8443
                from: ["2001:db8:aa::/48"]
            """);
        // The range's clients dial the host's IPv6 address, where nothing listens; then it listens in both families.
        RefusedUntilRelistened(lab, exporter, ("api", 8443), v4, lab.Outside, "TCP6:[2001:db8:77::1]:8443,bind=[2001:db8:aa::7]", "TCP6-LISTEN:8443,bind=[::],ipv6only=0", port =>
        {
            Assert.Contains("its clients from 2001:db8:aa::/48 reach the host on 2001:db8:77::1, where nothing listens", port.GetProperty("summary").GetString(), StringComparison.Ordinal);
            Assert.StartsWith("Change the service's bind address to [::] (dual-stack", port.GetProperty("fix").GetString(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Internal_port_bound_to_the_outside_address_refuses_its_inside_clients_and_is_ok_once_bound_inside()
    {
        using var lab = new Lab();
        var outsideOnly = lab.Ns.Start("socat", "TCP-LISTEN:5432,bind=10.77.0.1,reuseaddr,fork", "SYSTEM:echo db");
        lab.Ns.WaitForListener(5432);
        lab.Ruleset("iifname \"eth1\" tcp dport 5432 accept");
        var exporter = lab.Exporter("""
            ports:
              - name: db
                port: 5432
                expose: internal
            """);
        // Outside is dropped as promised, and the inside clients, dialling the host's address on their network, are
        // refused; then it listens on that address.
        RefusedUntilRelistened(lab, exporter, ("db", 5432), outsideOnly, lab.Inside, "TCP4:10.88.0.1:5432", "TCP-LISTEN:5432,bind=10.88.0.1", port =>
        {
            Assert.Contains("its inside clients reach the host on 10.88.0.1 (eth1), where nothing listens", port.GetProperty("summary").GetString(), StringComparison.Ordinal);
            Assert.StartsWith("Bind the service to 10.88.0.1 (its internal address)", port.GetProperty("fix").GetString(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Internal_port_on_the_address_of_one_internal_network_of_several_keeps_its_promise()
    {
        // A second internal network (a VPN, another VLAN) after eth1: the service listens on its address only. Clients
        // of either network reach that address through this host, so it is no wrong address.
        using var lab = new Lab();
        using var vpn = new Netns("intentvpn");
        lab.Ns.Link("eth2", "10.99.0.1/24", vpn, "eth0", "10.99.0.254/24");
        lab.Ns.Start("socat", "TCP-LISTEN:5432,bind=10.99.0.1,reuseaddr,fork", "SYSTEM:echo db");
        lab.Ns.WaitForListener(5432);
        lab.Ruleset("iifname { \"eth1\", \"eth2\" } tcp dport 5432 accept");
        var exporter = lab.Exporter("""
            ports:
              - name: db
                port: 5432
                expose: internal
            """);
        lab.Inside.Exec("ip", "route", "add", "10.99.0.0/24", "via", "10.88.0.1");
        Assert.Equal("db", lab.Inside.Exec("socat", "-T", "5", "-", "TCP4:10.99.0.1:5432,connect-timeout=5").Stdout.Trim());

        WaitFor(exporter, "db", "ok");
        Assert.Equal("reachable from inside on 10.99.0.1", ExporterBinary.Observed(lab.Diagnose("db"), "bind (outside address)"));
    }

    [Fact]
    public void A_from_range_on_the_internal_network_counts_the_address_its_clients_dial_and_no_other()
    {
        using var lab = new Lab();
        var outsideOnly = lab.Ns.Start("socat", "TCP-LISTEN:8443,bind=10.77.0.1,reuseaddr,fork", "SYSTEM:echo partner");
        lab.Ns.WaitForListener(8443);
        var exporter = lab.Exporter("""
            ports:
              - name: partner
                port: 8443
                from: [10.88.0.0/24]
            """);

        // The range is eth1's network: its clients dial 10.88.0.1. Bound to the outside address, they are refused;
        // bound to theirs, it is ok, though nothing listens on the outside address any more.
        RefusedUntilRelistened(lab, exporter, ("partner", 8443), outsideOnly, lab.Inside, "TCP4:10.88.0.1:8443", "TCP-LISTEN:8443,bind=10.88.0.1", port =>
            Assert.Contains("its clients from 10.88.0.0/24 reach the host on 10.88.0.1, where nothing listens", port.GetProperty("summary").GetString(), StringComparison.Ordinal));
        Assert.Equal("ok", lab.Diagnose("partner").GetProperty("cause").GetString());
    }

    /// <summary>
    /// A service on an address its promised clients do not dial: <paramref name="client"/>'s dial is refused and the
    /// port is <c>wrong_address</c> (its diagnosis checked by <paramref name="check"/>); then the service listens on
    /// <paramref name="listen"/>, the dial is answered, and the port is ok.
    /// </summary>
    private static void RefusedUntilRelistened(Lab lab, ExporterInNamespace exporter, (string Name, int Port) service, System.Diagnostics.Process old, Netns client, string dial, string listen, Action<JsonElement> check)
    {
        Assert.Contains("refused", client.ExecAllowFailure("socat", "-T", "5", "-", $"{dial},connect-timeout=5").Stderr, StringComparison.OrdinalIgnoreCase);
        WaitFor(exporter, service.Name, "wrong_address");
        check(lab.Diagnose(service.Name));

        old.Kill(entireProcessTree: true);
        old.WaitForExit();
        lab.Ns.Start("socat", $"{listen},reuseaddr,fork", $"SYSTEM:echo {service.Name}");
        lab.Ns.WaitForListener(service.Port);
        Assert.Equal(service.Name, client.Exec("socat", "-T", "5", "-", $"{dial},connect-timeout=5").Stdout.Trim());
        WaitFor(exporter, service.Name, "ok");
    }

    [Fact]
    public void Auto_watch_keeps_loopback_and_ephemeral_listeners_quiet_survives_a_flood_and_still_pages()
    {
        using var lab = new Lab();
        lab.Ns.Start("socat", "TCP-LISTEN:10248,bind=127.0.0.1,reuseaddr,fork", "SYSTEM:echo kubelet");
        lab.Ns.Start("socat", "TCP-LISTEN:6379,bind=127.0.0.1,reuseaddr,fork", "SYSTEM:echo cache");
        lab.Ns.Start("socat", "TCP-LISTEN:45000,bind=0.0.0.0,reuseaddr,fork", "SYSTEM:echo ephemeral");
        lab.Ns.Start("socat", "TCP-LISTEN:8080,bind=0.0.0.0,reuseaddr,fork", "SYSTEM:echo web");
        foreach (var p in (int[])[10248, 6379, 45000, 8080])
        {
            lab.Ns.WaitForListener(p);
        }

        var exporter = lab.Exporter("""
            auto_watch:
              min_age: 2s
              max_ports: 64
            """);

        var m = WaitFor(exporter, "auto-8080-tcp", "ok");
        m = WaitFor(exporter, "auto-10248-tcp", "ok");
        Assert.Equal(1, Value(m, "port_intent_info", ("service", "auto-8080-tcp"), ("expose", "public"), ("origin", "inferred")));
        Assert.Equal(1, Value(m, "port_intent_info", ("service", "auto-10248-tcp"), ("expose", "local"), ("origin", "inferred")));
        Assert.Equal(1, Value(m, "port_intent_info", ("service", "auto-6379-tcp"), ("expose", "local"), ("origin", "inferred")));
        Assert.DoesNotContain(Series(m, "port_intent_info"), s => s.Contains("port=\"45000\"", StringComparison.Ordinal));
        Assert.All(Series(m, "port_diagnosis"), s => Assert.Contains("cause=\"ok\"", s, StringComparison.Ordinal));
        Assert.Equal(0, Value(m, "port_exporter_auto_watch_evicted_total"));

        // diagnose with no config: one collection, no history to wait for; the same quiet verdict.
        var once = lab.Ns.ExecAllowFailure(ExporterBinary.Command("diagnose", "--output", "json"));
        Assert.True(once.ExitCode == 0, once.Stdout + once.Stderr);
        using (var report = JsonDocument.Parse(once.Stdout))
        {
            var ports = report.RootElement.GetProperty("ports").EnumerateArray().ToDictionary(p => p.GetProperty("service").GetString()!, p => p.GetProperty("expose").GetString());
            Assert.Equal("public", ports["auto-8080-tcp"]);
            Assert.Equal("local", ports["auto-6379-tcp"]);
            Assert.DoesNotContain("auto-45000-tcp", ports.Keys);
        }

        // 600 listeners opened by an unprivileged user: the cap evicts them, not the service watched before them.
        lab.Ns.Start("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "/usr/bin/python3", "-c", """
            import socket, time
            held = []
            for port in range(20000, 20600):
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("0.0.0.0", port))
                s.listen(1)
                held.append(s)
            time.sleep(3600)
            """);
        lab.Ns.WaitForListener(20599);
        m = WaitUntil(exporter, m => Value(m, "port_exporter_auto_watch_evicted_total") > 0, "the flood to be evicted");
        Assert.Equal(1, Value(m, "port_intent_info", ("service", "auto-8080-tcp"), ("expose", "public"), ("origin", "inferred")));
        Assert.Equal(64, Series(m, "port_intent_info").Count(s => s.Contains("origin=\"inferred\"", StringComparison.Ordinal)));

        // The real service still pages when its firewall breaks.
        lab.Ruleset("tcp dport != 8080 accept");
        WaitFor(exporter, "auto-8080-tcp", "firewall_blocked");
    }

    private static string WaitFor(ExporterInNamespace exporter, string service, string cause) =>
        WaitUntil(exporter, m => Value(m, "port_diagnosis", ("service", service), ("cause", cause)) == 1, $"{service} to be {cause}");

    /// <summary>Scrapes until <paramref name="holds"/>; fails with the last exposition's diagnoses after <see cref="Settle"/>.</summary>
    private static string WaitUntil(ExporterInNamespace exporter, Func<string, bool> holds, string what)
    {
        var deadline = DateTime.UtcNow + Settle;
        string m;
        do
        {
            m = exporter.Scrape();
            if (holds(m))
            {
                return m;
            }

            Thread.Sleep(500);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"waited {Settle} for {what}; last diagnoses:\n{string.Join("\n", Series(m, "port_diagnosis").Take(20))}");
        return m;
    }

    /// <summary>A host namespace with an outside link (default route, eth0) and an internal link (eth1).</summary>
    private sealed class Lab : IDisposable
    {
        private readonly Netns _outside = new("intentout");
        private readonly Netns _inside = new("intentin");
        private readonly TempDir _dir = new();
        private string? _config;

        public Lab()
        {
            Ns = new Netns("intent");
            Ns.Link("eth0", "10.77.0.1/24", _outside, "eth0", "10.77.0.254/24");
            Ns.Link("eth1", "10.88.0.1/24", _inside, "eth0", "10.88.0.254/24");
            Ns.Exec("ip", "route", "add", "default", "via", "10.77.0.254");
        }

        public Netns Ns { get; }

        /// <summary>The outside peer (10.77.0.254), the default gateway.</summary>
        public Netns Outside => _outside;

        /// <summary>The inside peer (10.88.0.254 on eth1's network).</summary>
        public Netns Inside => _inside;

        public ExporterInNamespace Exporter(string yaml)
        {
            // A tool run gets 25 s, not the default 5 s: the tests are about intent, and a busy machine can take longer
            // than 5 s to start nft; the one-shot `diagnose` still answers within its own 30 s.
            _config = _dir.File("config.yml", yaml + "\nfirewall:\n  refresh_interval: 1s\n  command_timeout: 25s\n");
            return new ExporterInNamespace(Ns, _config);
        }

        /// <summary>Replaces the ruleset: policy drop on input, loopback, replies and IPv6 neighbour discovery allowed, then <paramref name="rule"/>.</summary>
        public void Ruleset(string rule)
        {
            var file = _dir.File("rules.nft", $$"""
                flush ruleset
                table inet filter {
                    chain input {
                        type filter hook input priority 0; policy drop;
                        iif "lo" accept
                        ct state established,related accept
                        {{rule}}
                        icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept
                    }
                }
                """);
            Ns.Exec("nft", "-f", file);
        }

        /// <summary>The port's entry of <c>diagnose --output json</c>.</summary>
        public JsonElement Diagnose(string service)
        {
            var run = Ns.ExecAllowFailure(ExporterBinary.Command("diagnose", "--config.file", _config!, "--output", "json"));
            using var report = JsonDocument.Parse(run.Stdout);
            return report.RootElement.GetProperty("ports").EnumerateArray().Single(p => p.GetProperty("service").GetString() == service).Clone();
        }

        public void Dispose()
        {
            Ns.Dispose();
            _outside.Dispose();
            _inside.Dispose();
            _dir.Dispose();
        }
    }
}
