using System.Collections.Immutable;
using PortExporter.Core.Configuration;
using PortExporter.Core.Timeline;

namespace PortExporter.Tests.Timeline;

/// <summary>The comparer table: each kind of change between two collections becomes one event of its kind, in words.</summary>
public sealed class EvidenceComparersTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 1, 12, 3, 0, TimeSpan.Zero);

    private static readonly PortFacts Healthy = new(
        "ok",
        new FirewallFacts(5, [new VerdictFact("outside", "accept", "policy accept", false), new VerdictFact("inside", "accept", "policy accept", false)]),
        ["0.0.0.0 (wildcard)"],
        [new OwnerFact("nginx", 100)],
        true,
        "active/running",
        new SelinuxFacts("permissive", "http_port_t"),
        new AvcFact(false, null, "denied by ? (?)"),
        [new ProbeFact("external (10.0.0.1:8080)", "ok")]);

    public static TheoryData<string, PortFacts, EvidenceKind, string> Changes => new()
    {
        {
            "a DROP rule pushed",
            Healthy with { Firewall = new FirewallFacts(6, [new VerdictFact("outside", "drop", "tcp dport 8080 drop", true), new VerdictFact("inside", "accept", "policy accept", false)]) },
            EvidenceKind.Firewall,
            "outside accept -> drop (rule `tcp dport 8080 drop` added); ruleset generation 5 -> 6"
        },
        {
            "the table flushed, its policy gone",
            Healthy with { Firewall = new FirewallFacts(5, [new VerdictFact("outside", "accept", "no rule on the path", false), new VerdictFact("inside", "accept", "policy accept", false)]) },
            EvidenceKind.Firewall,
            "outside accept (policy accept -> no rule on the path)"
        },
        {
            "the DROP rule deleted",
            Healthy with { Firewall = new FirewallFacts(7, [new VerdictFact("outside", "drop", "tcp dport 8080 drop", true), new VerdictFact("inside", "accept", "policy accept", false)]) },
            EvidenceKind.Firewall,
            "outside accept -> drop (rule `tcp dport 8080 drop` added); ruleset generation 5 -> 7"
        },
        { "a rebind to loopback", Healthy with { Listeners = ["127.0.0.1 (loopback)"] }, EvidenceKind.Listener, "listener address 0.0.0.0 (wildcard) -> 127.0.0.1 (loopback)" },
        { "the listener gone", Healthy with { Listeners = [], Owners = [] }, EvidenceKind.Listener, "listener on 0.0.0.0 (wildcard) gone" },
        { "a restart", Healthy with { Owners = [new OwnerFact("nginx", 200)] }, EvidenceKind.Process, "process restarted: nginx pid 100 -> pid 200" },
        { "another program", Healthy with { Owners = [new OwnerFact("python3", 300)] }, EvidenceKind.Process, "process changed: nginx pid 100 -> python3 pid 300" },
        { "the process stopped", Healthy with { ProcessRunning = false }, EvidenceKind.Process, "process stopped" },
        { "the unit failed", Healthy with { Unit = "failed/failed" }, EvidenceKind.Unit, "unit active/running -> failed/failed" },
        { "enforcing", Healthy with { Selinux = new SelinuxFacts("enforcing", "http_port_t") }, EvidenceKind.Selinux, "SELinux mode permissive -> enforcing" },
        { "a relabel", Healthy with { Selinux = new SelinuxFacts("permissive", null) }, EvidenceKind.Selinux, "port type http_port_t -> unlabelled" },
        { "the first denial", Healthy with { Avc = new AvcFact(true, At, "name_bind by nginx (httpd_t)") }, EvidenceKind.Avc, "first AVC denial since the service started: name_bind by nginx (httpd_t)" },
        { "a probe refused", Healthy with { Probes = [new ProbeFact("external (10.0.0.1:8080)", "refused")] }, EvidenceKind.Probe, "probe external (10.0.0.1:8080) ok -> refused" },
        { "the diagnosis", Healthy with { Cause = "firewall_blocked" }, EvidenceKind.Diagnosis, "diagnosis ok -> firewall_blocked" },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void One_change_is_one_event_of_its_kind(string change, PortFacts after, EvidenceKind kind, string summary)
    {
        var events = EvidenceComparers.Compare(Healthy, after, At);

        var only = Assert.Single(events);
        Assert.Equal(new TimelineEvent(At, kind, summary), only);
        Assert.False(string.IsNullOrEmpty(change));
    }

    [Fact]
    public void Unchanged_evidence_and_the_first_collection_give_no_events()
    {
        var same = Healthy with { Listeners = ["0.0.0.0 (wildcard)"], Owners = [new OwnerFact("nginx", 100)] };
        Assert.Empty(EvidenceComparers.Compare(Healthy, same, At));
        Assert.Empty(EvidenceComparers.Compare(null, Healthy, At));
    }

    [Fact]
    public void Missing_evidence_is_no_change_and_the_last_known_part_is_carried()
    {
        var missing = new PortFacts("unknown");
        var events = EvidenceComparers.Compare(Healthy, missing.Carry(Healthy), At);
        Assert.Equal([new TimelineEvent(At, EvidenceKind.Diagnosis, "diagnosis ok -> unknown")], events);

        // Back with a rebind: compared with the last known listener, not with "nothing".
        var back = EvidenceComparers.Compare(missing.Carry(Healthy), Healthy with { Listeners = ["127.0.0.1 (loopback)"] }, At);
        Assert.Equal([EvidenceKind.Listener, EvidenceKind.Diagnosis], back.Select(e => e.Kind));
    }

    [Fact]
    public void Every_kind_has_one_comparer_and_a_label()
    {
        Assert.Equal(EvidenceKindNames.All, EvidenceComparers.All.Select(c => c.Kind).Order());
        Assert.Equal(
            ["firewall", "listener", "process", "unit", "selinux", "avc", "probe", "diagnosis"],
            EvidenceKindNames.All.Select(k => k.ToLabel()));
    }

    [Fact]
    public void The_changes_before_the_failure_are_listed_newest_first_with_their_offsets()
    {
        var history = PortHistory.Start("web", Healthy, At);
        var rule = Healthy with { Firewall = new FirewallFacts(6, [new VerdictFact("outside", "drop", "tcp dport 8080 drop", true), new VerdictFact("inside", "accept", "policy accept", false)]) };
        history = Step(history, rule, At.AddSeconds(20));
        var broken = rule with { Cause = "firewall_blocked", Probes = [new ProbeFact("external (10.0.0.1:8080)", "timeout")] };
        history = Step(history, broken, At.AddSeconds(60));

        Assert.Equal(At.AddSeconds(60), history.BrokeAt);
        Assert.Equal(At.AddSeconds(60), history.CauseSince);
        var before = PortTimelineReport.From(history).BeforeFailure;
        Assert.Equal(
            [
                "probe changed at 2026-01-01 12:04:00Z, in the same collection: probe external (10.0.0.1:8080) ok -> timeout",
                "firewall changed at 2026-01-01 12:03:20Z, 40 s before: outside accept -> drop (rule `tcp dport 8080 drop` added); ruleset generation 5 -> 6",
            ],
            before.Select(c => c.Describe()));

        // Healthy again: nothing is listed, the diagnosis holds since the recovery.
        history = Step(history, Healthy, At.AddSeconds(90));
        Assert.Null(history.BrokeAt);
        Assert.Empty(history.BeforeFailure(ConfigDefaults.HistoryFailureWindow));
        Assert.Equal(At.AddSeconds(90), history.CauseSince);
    }

    [Fact]
    public void A_second_failure_lists_only_what_changed_since_the_port_was_ok_again()
    {
        var blocked = Healthy with { Cause = "firewall_blocked", Firewall = new FirewallFacts(6, [new VerdictFact("outside", "drop", "tcp dport 8080 drop", true), new VerdictFact("inside", "accept", "policy accept", false)]) };
        var history = Step(PortHistory.Start("web", Healthy, At), blocked, At.AddSeconds(10));
        history = Step(history, Healthy, At.AddSeconds(20));
        var rebound = Healthy with { Cause = "loopback_only", Listeners = ["127.0.0.1 (loopback)"] };
        history = Step(history, rebound, At.AddSeconds(30));

        Assert.Equal(At.AddSeconds(30), history.BrokeAt);
        Assert.Equal(
            [new TimelineEvent(At.AddSeconds(30), EvidenceKind.Listener, "listener address 0.0.0.0 (wildcard) -> 127.0.0.1 (loopback)")],
            history.BeforeFailure(ConfigDefaults.HistoryFailureWindow));
        Assert.Equal(6, history.Events.Count);
    }

    [Fact]
    public void A_port_not_ok_at_the_first_look_has_no_known_failure_time()
    {
        var history = PortHistory.Start("web", Healthy with { Cause = "process_down" }, At);
        history = Step(history, Healthy with { Cause = "process_down", Unit = "failed/failed" }, At.AddSeconds(10));
        Assert.Null(history.BrokeAt);
        Assert.Empty(history.BeforeFailure(ConfigDefaults.HistoryFailureWindow));
        Assert.Equal(At, history.CauseSince);
        Assert.Equal(At.AddSeconds(10), history.LastChange[EvidenceKind.Unit]);
    }

    internal static PortHistory Step(PortHistory history, PortFacts facts, DateTimeOffset at, HistorySettings? limits = null) =>
        history.Next(history.Service, facts, EvidenceComparers.Compare(history.Facts, facts, at), at, limits ?? HistorySettings.Default);
}
