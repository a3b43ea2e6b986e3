using PortExporter.Core;
using PortExporter.Core.Baseline;

namespace PortExporter.Tests.Baseline;

/// <summary>Comparing a baseline with the live surface: one item per changed port and kind, with a line a human reads.</summary>
public sealed class BaselineCompareTests
{
    private static readonly PortSurface Web = BaselineSamples.Web;

    public static TheoryData<string, PortSurface, DriftKind, string> Changes => new()
    {
        { "nothing listens", Web with { Listeners = [] }, DriftKind.Listener, "listener gone: nothing listens (was 0.0.0.0 (nginx))" },
        { "bound to loopback", Web with { Listeners = [new ListenerSurface("127.0.0.1", "loopback", "nginx")] }, DriftKind.Bind, "bind 0.0.0.0 (wildcard) -> 127.0.0.1 (loopback)" },
        { "another process", Web with { Listeners = [new ListenerSurface("0.0.0.0", "wildcard", "python3")] }, DriftKind.Process, "process nginx -> python3" },
        { "unit failed", Web with { Unit = "nginx.service failed" }, DriftKind.Process, "unit nginx.service active -> nginx.service failed" },
        {
            "a drop rule",
            Web with { Verdicts = [Web.Verdicts[0], new VerdictSurface("outside", "drop", "iptables-legacy filter INPUT", "-A INPUT -p tcp -m tcp --dport 8080 -j DROP")] },
            DriftKind.Verdict,
            "outside verdict accept -> drop (rule `-A INPUT -p tcp -m tcp --dport 8080 -j DROP`)"
        },
        {
            "another accepting rule",
            Web with { Verdicts = [Web.Verdicts[0], new VerdictSurface("outside", "accept", "iptables-legacy filter INPUT", "-A INPUT -p tcp -j ACCEPT")] },
            DriftKind.Verdict,
            "outside verdict accept, now by another rule: rule `policy accept` -> rule `-A INPUT -p tcp -j ACCEPT`"
        },
        { "relabelled", Web with { SelinuxType = "unreserved_port_t" }, DriftKind.Selinux, "selinux port type http_port_t -> unreserved_port_t" },
        { "new nat", Web with { Paths = ["external 203.0.113.5:80", "redirect dnat to 10.0.0.9:80"] }, DriftKind.Path, "path external 203.0.113.5:80 -> external 203.0.113.5:80, redirect dnat to 10.0.0.9:80" },
        { "now internal", Web with { Expose = "internal" }, DriftKind.Intent, "intent public (config) -> internal (config)" },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void Each_change_is_one_item_of_its_kind(string change, PortSurface now, DriftKind kind, string line)
    {
        var drift = BaselineComparer.Compare(BaselineSamples.Of(Web), BaselineSamples.Of(now));

        var item = Assert.Single(drift);
        Assert.Equal((kind, $"8080/tcp: {line}"), (item.Kind, item.ToString()));
        Assert.Equal(Web.Key, item.Port);
        Assert.NotEmpty(change);
    }

    [Fact]
    public void A_listener_that_appears_is_listener_drift()
    {
        var item = Assert.Single(BaselineComparer.Compare(BaselineSamples.Of(Web with { Listeners = [] }), BaselineSamples.Of(Web)));

        Assert.Equal((DriftKind.Listener, "listener appeared: 0.0.0.0 (nginx) (nothing listened)"), (item.Kind, item.Change));
    }

    [Fact]
    public void A_port_not_in_the_baseline_is_new_and_one_gone_from_it_is_gone()
    {
        var drift = BaselineComparer.Compare(BaselineSamples.Of(BaselineSamples.Dns), BaselineSamples.Of(Web));

        Assert.Equal(
            [
                "53/udp: gone: no longer watched (was service dns, expose internal, listening on 10.0.0.5 (unbound), outside drop)",
                "8080/tcp: new port, not in the baseline: service web, expose public, listening on 0.0.0.0 (nginx), outside accept",
            ],
            drift.Select(d => d.ToString()));
        Assert.Equal([DriftKind.GonePort, DriftKind.NewPort], drift.Select(d => d.Kind));
        Assert.Equal(["dns", "web"], drift.Select(d => d.Service));
    }

    [Fact]
    public void A_changed_ruleset_is_a_host_item()
    {
        var now = BaselineSamples.Of(Web) with { Rulesets = [new RulesetFingerprint("iptables-legacy", new string('b', 64), 5)] };

        var item = Assert.Single(BaselineComparer.Compare(BaselineSamples.Of(Web), now));

        Assert.Equal((DriftKind.Ruleset, null), (item.Kind, item.Port));
        Assert.Equal("host: ruleset iptables-legacy changed: 4 rules, sha256 aaaaaaaaaaaa -> 5 rules, sha256 bbbbbbbbbbbb", item.ToString());
    }

    [Fact]
    public void The_same_surface_has_no_drift_and_several_changes_come_in_a_fixed_order()
    {
        Assert.Empty(BaselineComparer.Compare(BaselineSamples.Of(Web, BaselineSamples.Dns), BaselineSamples.Of(Web, BaselineSamples.Dns)));

        var now = Web with { Listeners = [new ListenerSurface("127.0.0.1", "loopback", "python3")], SelinuxType = "none", Expose = "local" };
        var kinds = BaselineComparer.Compare(BaselineSamples.Of(Web), BaselineSamples.Of(now)).Select(d => d.Kind);

        Assert.Equal([DriftKind.Intent, DriftKind.Bind, DriftKind.Process, DriftKind.Selinux], kinds);
    }

    [Fact]
    public void Every_kind_has_its_label()
    {
        Assert.Equal(
            ["listener", "bind", "process", "verdict", "selinux", "path", "intent", "new_port", "gone_port", "ruleset"],
            DriftKindNames.All.Select(k => k.ToLabel()));
    }
}
