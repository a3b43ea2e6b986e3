namespace PortExporter.Core.Timeline;

/// <summary>
/// What one collection knew about one watched port, reduced to what the timeline compares. A null part is evidence
/// the collection did not have (its collector failed, is disabled, or the config asks nothing of it): it is never
/// compared, and the last known part is carried instead (<see cref="Carry"/>). Immutable.
/// </summary>
/// <param name="Cause">The diagnosis's cause label.</param>
/// <param name="Firewall">The verdict and deciding rule per source, with the ruleset generation.</param>
/// <param name="Listeners">The addresses listening on the port, sorted; empty when none.</param>
/// <param name="Owners">The processes holding those listeners (name and PID), sorted; empty when none is known.</param>
/// <param name="ProcessRunning">Whether the configured <c>process</c> runs; null when none is configured.</param>
/// <param name="Unit">The configured unit's state (<c>active/running</c>); null when none is configured or known.</param>
/// <param name="Selinux">The SELinux mode and the port's type.</param>
/// <param name="Avc">Whether an enforced AVC denial was seen since the service started, and the newest denial.</param>
/// <param name="Probes">Each probe's result, by vantage, sorted.</param>
public sealed record PortFacts(
    string? Cause,
    FirewallFacts? Firewall = null,
    IReadOnlyList<string>? Listeners = null,
    IReadOnlyList<OwnerFact>? Owners = null,
    bool? ProcessRunning = null,
    string? Unit = null,
    SelinuxFacts? Selinux = null,
    AvcFact? Avc = null,
    IReadOnlyList<ProbeFact>? Probes = null)
{
    /// <summary>These facts, with each part this collection lacks taken from <paramref name="previous"/>.</summary>
    public PortFacts Carry(PortFacts? previous) => previous is null ? this : new(
        Cause ?? previous.Cause,
        Firewall ?? previous.Firewall,
        Listeners ?? previous.Listeners,
        Owners ?? previous.Owners,
        ProcessRunning ?? previous.ProcessRunning,
        Unit ?? previous.Unit,
        Selinux ?? previous.Selinux,
        Avc ?? previous.Avc,
        Probes ?? previous.Probes);
}

/// <summary>The firewall's answer for one port.</summary>
/// <param name="Generation">The ruleset's generation id when its snapshot was read, when known.</param>
/// <param name="Sources">Per source (outside, inside, each <c>from:</c> range), in that order.</param>
/// <param name="Sets">The ruleset's named sets and the ipsets its rules look up, with their members' digests (host-wide: the same for every port); null when not known.</param>
public sealed record FirewallFacts(ulong? Generation, IReadOnlyList<VerdictFact> Sources, IReadOnlyList<SetFact>? Sets = null);

/// <summary>A named set's members, reduced to a digest (<see cref="Baseline.SetFingerprint"/>).</summary>
/// <param name="Set">inet filter allowlist (nftables: family, table, set), or an ipset's name.</param>
/// <param name="Elements">How many members it has.</param>
/// <param name="Sha256">The digest of its members.</param>
public sealed record SetFact(string Set, int Elements, string Sha256);

/// <summary>The verdict for one source and what decided it.</summary>
/// <param name="Source">outside, inside or a range.</param>
/// <param name="Verdict">accept, drop, reject or unknown.</param>
/// <param name="Rule">The deciding rule's text without its handle or position (which change when the same rule is loaded again), or the policy ("policy drop", "no rule on the path").</param>
/// <param name="IsRule">True when a rule decided, not a chain policy or the absence of rules.</param>
/// <param name="Set">The set the deciding rule looks up, named as in <see cref="SetFact.Set"/>; null when it looks none up.</param>
public sealed record VerdictFact(string Source, string Verdict, string Rule, bool IsRule, string? Set = null);

/// <summary>A process holding the port's listener.</summary>
public sealed record OwnerFact(string Name, int Pid);

/// <summary>The SELinux mode (enforcing, permissive, disabled) and the port's type (null when unlabelled or unknown).</summary>
public sealed record SelinuxFacts(string Mode, string? PortType);

/// <summary>AVC denials for the port.</summary>
/// <param name="DeniedSinceStart">An enforced denial newer than the service's start was seen.</param>
/// <param name="LastAt">The newest denial's time.</param>
/// <param name="Description">The newest denial in words (permission, process, its type).</param>
public sealed record AvcFact(bool DeniedSinceStart, DateTimeOffset? LastAt, string Description);

/// <summary>One probe's outcome: the vantage, and "ok" or the failure reason.</summary>
public sealed record ProbeFact(string Vantage, string Outcome);
