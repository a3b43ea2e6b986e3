using PortExporter.Core.Collection;
using PortExporter.Tests.Reliability;
using PortExporter.Tests.Support;
using Xunit.Abstractions;
using static PortExporter.Tests.EndToEnd.MetricsText;

namespace PortExporter.Tests.Privileges;

/// <summary>
/// Reading the ruleset takes CAP_NET_ADMIN (nft and iptables-save talk netlink). As <c>nobody</c> with it, the
/// exporter gives root's firewall verdict; without it, the firewall collector fails (success 0, the reason logged)
/// and no verdict is served, while the other collectors carry on.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class FirewallPrivilegeTests : IDisposable
{
    private static readonly string[] FirewallFamilies = ["port_firewall_blocked", "port_firewall_verdict_info", "port_host_firewall_backend_info"];

    private readonly ITestOutputHelper _output;
    private readonly Netns _ns = new("rprivfw");
    private readonly Netns _peer = new("rprivfwp");
    private readonly NonRootExporter _copy = new();
    private readonly string _config;

    public FirewallPrivilegeTests(ITestOutputHelper output)
    {
        _output = output;
        _ns.Link("eth0", "10.77.0.1/24", _peer, "eth0", "10.77.0.254/24");
        _ns.Exec("ip", "route", "add", "default", "via", "10.77.0.254");
        _ns.Exec("nft", "add table inet guard");
        _ns.Exec("nft", "add chain inet guard input { type filter hook input priority 0; policy accept; }");
        _ns.Exec("nft", "add rule inet guard input tcp dport 8080 drop");
        _ns.Start("socat", "TCP-LISTEN:8080,bind=0.0.0.0,reuseaddr,fork", "SYSTEM:echo hi");
        _ns.WaitForListener(8080);
        _config = _copy.File("config.yml", """
            ports:
              - name: web
                port: 8080
            """);
    }

    [Fact]
    public async Task Nobody_with_net_admin_reads_the_ruleset_as_root_does_and_without_it_says_it_cannot()
    {
        var root = await ScrapeAsync(null);
        Assert.Equal(1, Value(root, "port_firewall_blocked", ("service", "web")));

        var withNetAdmin = await ScrapeAsync(NonRootExporter.FullCapabilities);
        foreach (var family in FirewallFamilies)
        {
            Assert.Equal(Series(root, family), Series(withNetAdmin, family));
        }

        using var without = Start(["dac_read_search", "sys_ptrace"]);
        var body = (await DeadlineScrapes.ScrapeAsync(without, 1, _output))[0];
        Assert.Equal(0, Exposition.Success(body, CollectorNames.Firewall));
        Assert.Empty(Series(body, "port_firewall_blocked"));
        Exposition.AssertOthersSucceeded(body, CollectorNames.Firewall);
        Assert.Contains(without.Log, l => l.Contains("level=error", StringComparison.Ordinal) && l.Contains("ermitted", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        _copy.Dispose();
        _ns.Dispose();
        _peer.Dispose();
    }

    private async Task<string> ScrapeAsync(string[]? capabilities)
    {
        using var exporter = Start(capabilities);
        return (await DeadlineScrapes.ScrapeAsync(exporter, 1, _output))[0];
    }

    private RunningExporter Start(string[]? capabilities) =>
        new(_ns, ["--config.file", _config], prefix: capabilities is null ? null : NonRootExporter.AsNobody(capabilities), command: _copy.Command);
}
