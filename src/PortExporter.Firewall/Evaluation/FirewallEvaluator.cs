using System.Net;
using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Evaluation;

/// <summary>
/// Simulates what the kernel does to the first packet of a new connection: every base chain on the hooks the
/// packet passes, across all tables, families and backends, in priority order. Accept in a base chain moves on to
/// the next base chain; drop or reject ends the walk; jump, goto, return and chain policies work as in the kernel.
/// An outside connection passes ingress (its device), prerouting and input, after its bridge port's ingress and the
/// bridge family's prerouting and input when it arrives on a bridge; an inside one output, postrouting,
/// then prerouting and input on lo (nat chains are not consulted again there: the connection's NAT was set up on
/// output). When a DNAT sends the connection to an address that is not the host's, the route to that address
/// decides the rest: from outside, forward and postrouting out of the route's interface; from the host itself,
/// postrouting out of it. The verdict of a translated outside connection carries its path through the hooks. Conntrack state is INVALID in chains that run before conntrack (priority below -200 on prerouting and
/// output, and ingress) and NEW after it, UNTRACKED after a notrack.
/// <para>
/// The answer must also get back: when the first packet is accepted (or rejected), the reply (SYN-ACK or the
/// datagram's answer, the RST, the ICMP error) is walked too, as ESTABLISHED (RELATED for an ICMP error) to the
/// client's unknown port: out through output and postrouting, and for an inside connection in again through
/// prerouting and input on lo, where a stateless rule on high ports can drop it. A dropped reply makes the verdict
/// drop (the client times out), naming the rule that dropped the reply.
/// </para>
/// <para>
/// A rule whose match is unknown forks the walk: both outcomes are explored, and when they agree the verdict
/// stands; when they differ the verdict is <see cref="FirewallVerdict.Unknown"/> naming the rule. Nothing is
/// guessed. Immutable after construction and thread-safe; one evaluation allocates a little per walk.
/// </para>
/// </summary>
public sealed class FirewallEvaluator
{
    /// <summary>Maximum jump depth (the kernel allows 16 in nftables; deeper means a loop in a broken dump).</summary>
    public const int MaxJumpDepth = 64;

    /// <summary>Maximum walks explored for one connection when unknown matches fork it.</summary>
    public const int MaxWalks = 64;

    /// <summary>
    /// Maximum walks for one connection when random choices fork it: each endpoint of a load-balancing chain costs two,
    /// so up to about 128 endpoints of a service are each followed; more make the verdict unknown.
    /// </summary>
    public const int MaxRandomWalks = 256;

    private const int ConntrackPriority = -200;

    private const int BridgeLayer = 0;

    private readonly Dictionary<(int Version, NetfilterHook Hook), (FirewallTable Table, FirewallChain Chain)[]> _baseChains = [];

    // Long chains, indexed by destination port on first use and kept for the evaluator's life.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<FirewallChain, ChainIndex> _indexes = new(ReferenceEqualityComparer.Instance);

    public FirewallEvaluator(FirewallRuleset ruleset)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        Ruleset = ruleset;
        // Version 0: the bridge family's chains, which bridged frames of either version cross before the IP stack.
        foreach (var version in (int[])[4, 6, BridgeLayer])
        {
            foreach (var hook in Enum.GetValues<NetfilterHook>())
            {
                var list = new List<(FirewallTable, FirewallChain, int)>();
                var order = 0;
                foreach (var table in ruleset.Tables)
                {
                    if (version == BridgeLayer ? table.Family != TableFamily.Bridge : !table.Family.Sees(version))
                    {
                        continue;
                    }

                    foreach (var chain in table.Chains.Values)
                    {
                        if (chain.BaseHook is { } h && h.Hook == hook)
                        {
                            list.Add((table, chain, order++));
                        }
                    }
                }

                // Equal priorities run in registration order, which no dump shows: keep the read order (stable sort).
                _baseChains[(version, hook)] = [.. list.OrderBy(x => x.Item2.BaseHook!.Priority).ThenBy(x => x.Item3).Select(x => (x.Item1, x.Item2))];
            }
        }
    }

    public FirewallRuleset Ruleset { get; }

    /// <summary>Walks <paramref name="connection"/> through the ruleset.</summary>
    /// <param name="connection">The simulated connection.</param>
    /// <param name="isLocal">Whether an address belongs to this host (a DNAT to another address forwards the packet away).</param>
    /// <param name="egress">
    /// The routing decision: the interface a packet to an address leaves by, or null when no route covers it. With it a
    /// connection DNATed to another host is walked on (forward and postrouting from outside, postrouting from the host
    /// itself); without it, or without a route, that connection is unknown.
    /// </param>
    /// <param name="routeBack">
    /// The interface the host's route back to an address leaves by (null: none), for reverse path lookups in the rules
    /// (<c>fib saddr . iif oif missing drop</c>); null when the host's routes are not all known (policy routing): such a
    /// lookup is then taken to find the interface the packet came in on.
    /// </param>
    public FirewallEvaluation Evaluate(SimulatedConnection connection, Func<IPAddress, bool>? isLocal = null, Func<IPAddress, string?>? egress = null, Func<IPAddress, string?>? routeBack = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var walks = 0;
        return Explore(connection, new Routing(isLocal ?? (_ => true), egress, routeBack), null, [], ref walks);
    }

    /// <summary>
    /// Neighbour discovery for an IPv6 connection arriving on an interface: before the first packet can be sent, the
    /// sender on the link (the client, or the router that forwards for it) asks for this host's link-layer address
    /// with a neighbor solicitation to the destination's solicited-node multicast group, and this host asks for the
    /// sender's and gets a neighbor advertisement back to its own address. Both arrive as ICMPv6 with hop limit 255,
    /// untracked by conntrack (the kernel does not track neighbour discovery) and so past every nat chain, through
    /// ingress, prerouting and input on that interface. A ruleset that drops either leaves no IPv6 client able to
    /// connect, whatever it says of the port.
    /// </summary>
    /// <param name="connection">The IPv6 connection, arriving on a link (not lo).</param>
    /// <param name="neighbour">The address the neighbour discovery comes from: the client's on the link, else the router's.</param>
    /// <param name="routeBack">As for <see cref="Evaluate"/>.</param>
    public (FirewallEvaluation Solicitation, FirewallEvaluation Advertisement) EvaluateNeighbourDiscovery(SimulatedConnection connection, IPAddress neighbour, Func<IPAddress, string?>? routeBack = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(neighbour);
        var routing = new Routing(_ => true, null, routeBack);
        var solicitationWalks = 0;
        var advertisementWalks = 0;
        return (
            Explore(connection, routing, new Neighbour(PacketState.NeighborSolicitation, neighbour), [], ref solicitationWalks),
            Explore(connection, routing, new Neighbour(PacketState.NeighborAdvertisement, neighbour), [], ref advertisementWalks));
    }

    private FirewallEvaluation Explore(SimulatedConnection connection, Routing routing, Neighbour? neighbour, List<bool> choices, ref int walks)
    {
        walks++;
        var walk = new Walk(this, connection, routing, neighbour, choices);
        var result = walk.Run();
        if (walk.Pending is not { } pending)
        {
            return result;
        }

        if (walks + 2 > (pending.Random ? MaxRandomWalks : MaxWalks))
        {
            return Unknown(pending, "too many unknown matches on the path to explore");
        }

        var taken = Explore(connection, routing, neighbour, [.. choices, true], ref walks);
        var skipped = Explore(connection, routing, neighbour, [.. choices, false], ref walks);
        if (pending.Random)
        {
            return RandomOutcomes.Either(taken, skipped, pending.Rule?.Label ?? pending.Chain.Name);
        }

        if (taken.Decision.Verdict == skipped.Decision.Verdict && taken.Decision.Verdict != FirewallVerdict.Unknown && taken.Redirect == skipped.Redirect)
        {
            return skipped;
        }

        return Unknown(pending, pending.Reason);
    }

    private static FirewallEvaluation Unknown(ChoicePoint point, string? why) =>
        new(new FirewallDecision(FirewallVerdict.Unknown, point.Table.Backend, point.Table.Name, point.Chain.Name, point.Rule?.Label ?? point.Reason ?? string.Empty)
        {
            Family = point.Table.Family,
            Detail = why is null ? "a match the evaluator does not understand decides" : $"unknown: {why}",
        });

    private (FirewallTable Table, FirewallChain Chain)[] BaseChains(int version, NetfilterHook hook) => _baseChains[(version, hook)];

    private FirewallRule[] Candidates(FirewallChain chain, PacketState packet)
    {
        if (chain.RuleArray.Length < 32)
        {
            return chain.RuleArray;
        }

        return _indexes.GetOrAdd(chain, static c => new ChainIndex(c)).Candidates(packet);
    }

    private sealed record Routing(Func<IPAddress, bool> IsLocal, Func<IPAddress, string?>? Egress, Func<IPAddress, string?>? RouteBack);

    /// <summary>A neighbour discovery message (its ICMPv6 type) from <paramref name="From"/>, walked instead of the connection's first packet.</summary>
    private sealed record Neighbour(byte Type, IPAddress From);

    /// <param name="Random">A choice the kernel makes by chance (<see cref="RandomChoice"/>): both ways happen, nothing is unknown.</param>
    private sealed record ChoicePoint(FirewallTable Table, FirewallChain Chain, FirewallRule? Rule, string? Reason, bool Random = false);

    private enum Flow
    {
        /// <summary>Go on with the next rule of the chain.</summary>
        Next,

        /// <summary>Leave the chain (return, or fell off its end).</summary>
        Return,
        Accept,
        Drop,
        Reject,
        Unknown,

        /// <summary>An unknown match needs a choice the walk has not been given.</summary>
        Choice,

        /// <summary>A DNAT sent the packet to an address that is not this host's.</summary>
        Forwarded,
    }

    private readonly record struct Step(Flow Flow, FirewallTable? Table = null, FirewallChain? Chain = null, FirewallRule? Rule = null, string? Why = null);

    private sealed class Walk(FirewallEvaluator evaluator, SimulatedConnection connection, Routing routing, Neighbour? neighbour, List<bool> choices)
    {
        private readonly bool _inside = connection.Origin == ConnectionOrigin.Inside;
        private readonly List<string> _path = [];
        private PacketState _packet = null!;
        private int _cursor;
        private string? _redirect;

        // The interface a DNAT to another host routes the connection out of; null while it is delivered locally.
        private string? _forwardedOut;
        private IPEndPoint? _forwardedTo;

        // Where a REDIRECT or a DNAT to this host's own address delivers the connection here.
        private IPEndPoint? _delivered;

        public ChoicePoint? Pending { get; private set; }

        /// <param name="Bridge">The bridge family's hook (a frame crossing the bridge port <paramref name="In"/>), not the IP stack's.</param>
        private readonly record struct Stage(NetfilterHook Hook, string In, string Out, bool Nat, bool ConntrackHere, bool Bridge = false);

        /// <summary>
        /// Where a connection arriving on a bridge crosses first (<see cref="SimulatedConnection.BridgePort"/>): the
        /// port's netdev ingress, the bridge family's prerouting and input, then the bridge's own ingress; none otherwise.
        /// </summary>
        private IEnumerable<Stage> BridgeStages()
        {
            if (connection.BridgePort is not { } port)
            {
                yield break;
            }

            yield return new(NetfilterHook.Ingress, port, string.Empty, false, false);
            yield return new(NetfilterHook.Prerouting, port, string.Empty, false, false, Bridge: true);
            yield return new(NetfilterHook.Input, port, string.Empty, false, false, Bridge: true);
        }

        /// <summary>How one packet fared on its way through a list of hooks.</summary>
        private readonly record struct Passage(Flow Flow, Step? Final, (FirewallTable Table, FirewallChain Chain)? PolicyDrop, Step? LastAccept, (FirewallTable Table, FirewallChain Chain)? LastPolicy);

        public FirewallEvaluation Run()
        {
            if (neighbour is not null)
            {
                return WalkNeighbourDiscovery(neighbour);
            }

            var result = WalkHooks();
            if (!_packet.DestinationNatted || _inside)
            {
                return result;
            }

            // The path of a translated connection: where the DNAT sent it and which hooks it crossed up to the verdict.
            _path.Add(result.Decision.Verdict.ToString().ToLowerInvariant());
            return result with { Decision = result.Decision with { Path = string.Join(" -> ", _path), ForwardedTo = _forwardedTo, DeliveredTo = _forwardedTo is null ? _delivered : null } };
        }

        /// <summary>
        /// The hooks of an outside connection, produced as the walk goes: after prerouting the routing decision is
        /// made on the (translated) destination, local delivery through input or forwarding through forward and
        /// postrouting out of the route's interface.
        /// </summary>
        private IEnumerable<Stage> OutsideStages()
        {
            foreach (var bridged in BridgeStages())
            {
                yield return bridged;
            }

            yield return new(NetfilterHook.Ingress, connection.Interface, string.Empty, true, false);
            yield return new(NetfilterHook.Prerouting, connection.Interface, string.Empty, true, true);
            if (_forwardedOut is { } egress)
            {
                yield return new(NetfilterHook.Forward, connection.Interface, egress, false, false);
                yield return new(NetfilterHook.Postrouting, string.Empty, egress, true, false);
            }
            else
            {
                yield return new(NetfilterHook.Input, connection.Interface, string.Empty, true, false);
            }
        }

        /// <summary>
        /// The hooks of a connection the host makes to itself: output, then postrouting and back in on lo; when the
        /// output DNAT sends it to another host (a container), postrouting out of the route's interface ends the way
        /// in (output keeps the device of the first route, as in the kernel).
        /// </summary>
        private IEnumerable<Stage> InsideStages()
        {
            yield return new(NetfilterHook.Output, string.Empty, "lo", true, true);
            if (_forwardedOut is { } egress)
            {
                yield return new(NetfilterHook.Postrouting, string.Empty, egress, true, false);
                yield break;
            }

            yield return new(NetfilterHook.Postrouting, string.Empty, "lo", true, false);
            yield return new(NetfilterHook.Ingress, "lo", string.Empty, false, false);
            yield return new(NetfilterHook.Prerouting, "lo", string.Empty, false, false);
            yield return new(NetfilterHook.Input, "lo", string.Empty, false, false);
        }

        /// <summary>One neighbour discovery message in on the connection's interface: ingress, prerouting, input, no nat.</summary>
        private FirewallEvaluation WalkNeighbourDiscovery(Neighbour message)
        {
            var solicitation = message.Type == PacketState.NeighborSolicitation;
            var destination = solicitation ? PacketState.SolicitedNode(connection.Destination) : connection.Destination;
            _packet = new PacketState
            {
                IpVersion = 6,
                Protocol = PacketState.Icmpv6,
                IcmpType = message.Type,
                TcpFlags = 0,
                HopLimit = PacketState.NeighbourDiscoveryHopLimit,
                Source = PacketState.Encode(message.From),
                SourcePortLow = 0,
                SourcePortHigh = 0,
                Destination = PacketState.Encode(destination),
                DestinationAddress = destination,
                DestinationPort = 0,
                DestinationIsLocal = !solicitation,
                DestinationMulticast = solicitation,
                PacketType = solicitation ? PacketState.MulticastPacket : (byte)0,
                InInterface = connection.Interface,
                OutInterface = string.Empty,
                Mark = 0,
                Untracked = true,
                SourceIsLocal = false,
                // A link-local address is on the link it came in on, whatever the routes say.
                RouteBackKnown = routing.RouteBack is not null || message.From.IsIPv6LinkLocal,
                RouteBackInterface = message.From.IsIPv6LinkLocal ? connection.Interface : routing.RouteBack?.Invoke(message.From),
            };
            Stage[] stages =
            [
                .. BridgeStages(),
                new(NetfilterHook.Ingress, connection.Interface, string.Empty, false, false),
                new(NetfilterHook.Prerouting, connection.Interface, string.Empty, false, false),
                new(NetfilterHook.Input, connection.Interface, string.Empty, false, false),
            ];
            var passage = Pass(stages, tracked: false);
            return passage.Flow switch
            {
                Flow.Choice => Undecided(),
                Flow.Accept => AcceptDecision(passage),
                Flow.Drop when passage.PolicyDrop is { } policy => new FirewallEvaluation(
                    new FirewallDecision(FirewallVerdict.Drop, policy.Table.Backend, policy.Table.Name, policy.Chain.Name, "policy drop") { Family = policy.Table.Family }),
                _ => Final(passage.Final!.Value, null),
            };
        }

        private FirewallEvaluation WalkHooks()
        {
            _packet = FirstPacket();
            var stages = _inside ? InsideStages() : OutsideStages();
            var first = Pass(stages, tracked: false);
            switch (first.Flow)
            {
                case Flow.Choice:
                    return Undecided();
                case Flow.Drop when first.PolicyDrop is { } policy:
                    return new FirewallEvaluation(new FirewallDecision(FirewallVerdict.Drop, policy.Table.Backend, policy.Table.Name, policy.Chain.Name, "policy drop") { Family = policy.Table.Family }, null, _redirect);
                case Flow.Drop or Flow.Unknown or Flow.Forwarded:
                    return Final(first.Final!.Value, null);
            }

            // The answer: SYN-ACK / datagram reply for an accept, the RST or ICMP error for a reject.
            var rejected = first.Flow == Flow.Reject;
            var answer = rejected ? Final(first.Final!.Value, null) : AcceptDecision(first);
            _packet = ReplyPacket(_packet, rejected ? first.Final!.Value.Rule?.Action.Detail : null, rejected);
            var kind = ReplyKind(rejected);
            Stage[] replyStages = _inside && _forwardedOut is { } container
                ? [new(NetfilterHook.Ingress, container, string.Empty, false, false), new(NetfilterHook.Prerouting, container, string.Empty, false, true),
                   new(NetfilterHook.Input, container, string.Empty, false, false)]
                : _inside
                ? [new(NetfilterHook.Output, string.Empty, "lo", false, true), new(NetfilterHook.Postrouting, string.Empty, "lo", false, false),
                   new(NetfilterHook.Ingress, "lo", string.Empty, false, false), new(NetfilterHook.Prerouting, "lo", string.Empty, false, false), new(NetfilterHook.Input, "lo", string.Empty, false, false)]
                : _forwardedOut is { } egress
                ? [new(NetfilterHook.Ingress, egress, string.Empty, false, false), new(NetfilterHook.Prerouting, egress, string.Empty, false, true),
                   new(NetfilterHook.Forward, egress, connection.Interface, false, false), new(NetfilterHook.Postrouting, string.Empty, connection.Interface, false, false)]
                : [new(NetfilterHook.Output, string.Empty, connection.Interface, false, true), new(NetfilterHook.Postrouting, string.Empty, connection.Interface, false, false)];
            var replyStart = _path.Count;
            _path.Add(kind);
            var back = Pass(replyStages, tracked: false);
            switch (back.Flow)
            {
                case Flow.Choice:
                    return Undecided();
                case Flow.Drop when back.PolicyDrop is { } policy:
                    return new FirewallEvaluation(
                        new FirewallDecision(FirewallVerdict.Drop, policy.Table.Backend, policy.Table.Name, policy.Chain.Name, "policy drop")
                        {
                            Family = policy.Table.Family,
                            Detail = $"the {kind} is dropped on its way back by the chain policy: the client times out",
                        },
                        null,
                        _redirect);
                case Flow.Drop or Flow.Reject:
                    var blocked = Final(back.Final!.Value, FirewallVerdict.Drop);
                    return blocked with { Decision = blocked.Decision with { Detail = $"the {kind} is dropped on its way back: the client times out" } };
                case Flow.Unknown or Flow.Forwarded:
                    var unknown = Final(back.Final!.Value, FirewallVerdict.Unknown);
                    return unknown with { Decision = unknown.Decision with { Detail = $"the {kind}: {unknown.Decision.Detail}" } };
                default:
                    // The answer got back: the way of the request is the whole story.
                    _path.RemoveRange(replyStart, _path.Count - replyStart);
                    return answer;
            }
        }

        private string ReplyKind(bool rejected) =>
            rejected ? (_packet.Protocol == PacketState.Tcp ? "TCP reset" : "ICMP error")
            : connection.Protocol == TransportProtocol.Tcp ? "SYN-ACK" : "reply datagram";

        private PacketState FirstPacket() => new()
        {
            IpVersion = connection.IpVersion,
            Protocol = connection.Protocol == TransportProtocol.Udp ? PacketState.Udp : PacketState.Tcp,
            TcpFlags = connection.Protocol == TransportProtocol.Udp ? (byte)0 : PacketState.TcpSyn,
            Source = PacketState.Encode(connection.Source),
            SourcePortLow = _inside ? PacketState.EphemeralPortLow : PacketState.ClientPortLow,
            SourcePortHigh = _inside ? PacketState.EphemeralPortHigh : PacketState.ClientPortHigh,
            Destination = PacketState.Encode(connection.Destination),
            DestinationAddress = connection.Destination,
            DestinationPort = connection.Port,
            InInterface = connection.Interface,
            OutInterface = string.Empty,
            Mark = 0,
            SourceIsLocal = _inside,
            RouteBackKnown = routing.RouteBack is not null,
            RouteBackInterface = routing.RouteBack?.Invoke(connection.Source),
        };

        /// <summary>The answer to <paramref name="request"/>: from its (translated) destination back to the client's port.</summary>
        private PacketState ReplyPacket(PacketState request, string? rejectWith, bool rejected)
        {
            var reset = rejected && request.Protocol == PacketState.Tcp && rejectWith is { } w && w.Contains("tcp", StringComparison.Ordinal) && w.Contains("reset", StringComparison.Ordinal);
            var icmp = rejected && !reset;
            var v6 = request.IpVersion == 6;
            var state = icmp ? ConntrackStates.Related
                : request.Untracked ? (request.Protocol == PacketState.Tcp ? ConntrackStates.Invalid : ConntrackStates.New)
                : ConntrackStates.Established;
            return new PacketState
            {
                IpVersion = request.IpVersion,
                Protocol = icmp ? (v6 ? PacketState.Icmpv6 : PacketState.Icmp) : request.Protocol,
                IcmpType = icmp ? (v6 ? (byte)1 : (byte)3) : (byte)0,
                TcpFlags = reset ? PacketState.TcpRstAck : request.Protocol == PacketState.Tcp ? PacketState.TcpSynAck : (byte)0,
                Source = request.Destination,
                SourcePortLow = request.DestinationPortLow,
                SourcePortHigh = request.DestinationPortHigh,
                Destination = PacketState.Encode(connection.Source),
                DestinationAddress = connection.Source,
                DestinationPortLow = request.SourcePortLow,
                DestinationPortHigh = request.SourcePortHigh,
                InInterface = string.Empty,
                OutInterface = string.Empty,
                Mark = 0,
                SourceIsLocal = _forwardedOut is null,
                DestinationIsLocal = _inside,
                ConntrackState = state,
                Confirmed = true,
                DestinationNatted = request.DestinationNatted,
                FixedConntrackState = state,
            };
        }

        private Passage Pass(IEnumerable<Stage> stages, bool tracked)
        {
            Step? lastAccept = null;
            (FirewallTable, FirewallChain)? lastPolicy = null;
            foreach (var stage in stages)
            {
                _packet.InInterface = stage.In;
                _packet.OutInterface = stage.Out;
                if (stage.Hook is not (NetfilterHook.Ingress or NetfilterHook.Output))
                {
                    _path.Add(stage.Bridge ? $"bridge {stage.Hook.ToString().ToLowerInvariant()} on {stage.In}" : stage.Hook == NetfilterHook.Forward ? $"forward out {stage.Out}" : stage.Hook.ToString().ToLowerInvariant());
                }

                foreach (var (table, chain) in evaluator.BaseChains(stage.Bridge ? BridgeLayer : _packet.IpVersion, stage.Hook))
                {
                    var hook = chain.BaseHook!;
                    if (hook.Type == ChainType.Nat && !stage.Nat)
                    {
                        continue;
                    }

                    if (stage.Hook == NetfilterHook.Ingress && !(hook.Devices is { } devices && devices.Contains(stage.In)))
                    {
                        if (hook.Devices is not null || (chain.Rules.Count == 0 && !hook.PolicyDrops))
                        {
                            continue;
                        }

                        // The dump does not say which device the ingress chain is on: it may or may not apply.
                        var applies = Choose(new ChoicePoint(table, chain, null, $"ingress chain {chain.Name}: device not shown in the dump"));
                        if (applies is null)
                        {
                            return new Passage(Flow.Choice, null, null, null, null);
                        }

                        if (applies == false)
                        {
                            continue;
                        }
                    }

                    // The bridge family's conntrack (nf_conntrack_bridge) runs at the IP priority in its own prerouting.
                    _packet.ConntrackState = _packet.Untracked ? ConntrackStates.Untracked
                        : stage.Bridge ? (stage.Hook != NetfilterHook.Prerouting || hook.Priority > ConntrackPriority ? _packet.FixedConntrackState ?? ConntrackStates.New : ConntrackStates.Invalid)
                        : tracked || (stage.ConntrackHere && hook.Priority > ConntrackPriority) ? _packet.FixedConntrackState ?? ConntrackStates.New
                        : ConntrackStates.Invalid;
                    var step = RunChain(table, chain, 0);
                    switch (step.Flow)
                    {
                        case Flow.Accept:
                            // A nat chain's accept (a DNAT) is not what lets the connection in: the filter chains decide.
                            if (hook.Type != ChainType.Nat)
                            {
                                lastAccept = step;
                            }

                            continue;
                        case Flow.Next or Flow.Return:
                            if (hook.PolicyDrops)
                            {
                                return new Passage(Flow.Drop, null, (table, chain), null, null);
                            }

                            if (hook.Type != ChainType.Nat)
                            {
                                lastPolicy = (table, chain);
                            }

                            continue;
                        case Flow.Choice:
                            return new Passage(Flow.Choice, null, null, null, null);
                        default:
                            return new Passage(step.Flow, step, null, null, null);
                    }
                }

                if (stage.ConntrackHere)
                {
                    tracked = true;
                }

                // A locally made connection is confirmed when it leaves postrouting, before it comes back in on lo.
                if (stage.Hook == NetfilterHook.Postrouting)
                {
                    _packet.Confirmed = true;
                }
            }

            return new Passage(Flow.Accept, null, null, lastAccept, lastPolicy);
        }

        private FirewallEvaluation AcceptDecision(Passage passage)
        {
            if (passage.LastAccept is { } accept)
            {
                return new FirewallEvaluation(Decision(FirewallVerdict.Accept, accept), null, _redirect);
            }

            if (passage.LastPolicy is { } p)
            {
                return new FirewallEvaluation(new FirewallDecision(FirewallVerdict.Accept, p.Table.Backend, p.Table.Name, p.Chain.Name, "policy accept") { Family = p.Table.Family }, null, _redirect);
            }

            return new FirewallEvaluation(new FirewallDecision(FirewallVerdict.Accept, FirewallBackends.None, string.Empty, string.Empty, "no rule on the path"), null, _redirect);
        }

        private static FirewallEvaluation Undecided() => new(new FirewallDecision(FirewallVerdict.Unknown, FirewallBackends.None, string.Empty, string.Empty, string.Empty));

        private FirewallEvaluation Final(Step step, FirewallVerdict? overrideVerdict)
        {
            var verdict = overrideVerdict ?? step.Flow switch
            {
                Flow.Drop => FirewallVerdict.Drop,
                Flow.Reject => FirewallVerdict.Reject,
                _ => FirewallVerdict.Unknown,
            };
            var decision = Decision(verdict, step);
            if (step.Flow == Flow.Forwarded)
            {
                decision = decision with { Detail = "DNAT sends the connection to another host: the local port is not reached" };
            }
            else if (step.Flow == Flow.Unknown)
            {
                decision = decision with { Detail = $"unknown: {step.Why}" };
            }

            var dropped = verdict is FirewallVerdict.Drop or FirewallVerdict.Reject ? step.Rule?.Packets : null;
            return new FirewallEvaluation(decision, dropped, _redirect);
        }

        private static FirewallDecision Decision(FirewallVerdict verdict, Step step) =>
            new(verdict, step.Table!.Backend, step.Table.Name, step.Chain!.Name, step.Rule?.Label ?? step.Why ?? string.Empty) { Family = step.Table.Family };

        /// <summary>The recorded choice for the next unknown match, or null (and the point recorded) when the walk has run out of them.</summary>
        private bool? Choose(ChoicePoint point)
        {
            if (_cursor < choices.Count)
            {
                return choices[_cursor++];
            }

            Pending = point;
            return null;
        }

        private Step RunChain(FirewallTable table, FirewallChain chain, int depth)
        {
            if (depth > MaxJumpDepth)
            {
                return new Step(Flow.Unknown, table, chain, null, $"jumps nest deeper than {MaxJumpDepth}");
            }

            foreach (var rule in evaluator.Candidates(chain, _packet))
            {
                var matched = rule.Evaluate(_packet);
                if (matched == MatchResult.No)
                {
                    continue;
                }

                if (matched == MatchResult.Unknown)
                {
                    if (rule.IsInert)
                    {
                        continue;
                    }

                    var taken = Choose(new ChoicePoint(table, chain, rule, rule.UnknownReason, RandomChoice.Decides(rule)));
                    if (taken is null)
                    {
                        return new Step(Flow.Choice);
                    }

                    if (taken == false)
                    {
                        continue;
                    }
                }

                if (rule.SetsNotrack)
                {
                    _packet.Untracked = true;
                    _packet.ConntrackState = ConntrackStates.Untracked;
                }

                if (rule.Mark is { } mark)
                {
                    _packet.Mark = mark.Apply(_packet.Mark);
                }

                var step = Act(rule.Action, table, chain, rule, depth);
                if (step.Flow != Flow.Next)
                {
                    return step;
                }
            }

            return new Step(Flow.Return);
        }

        private Step Act(RuleAction action, FirewallTable table, FirewallChain chain, FirewallRule rule, int depth)
        {
            switch (action.Kind)
            {
                case RuleActionKind.Continue:
                    return new Step(Flow.Next);
                case RuleActionKind.Accept or RuleActionKind.SourceNat:
                    return new Step(Flow.Accept, table, chain, rule);
                case RuleActionKind.Drop:
                    return new Step(Flow.Drop, table, chain, rule);
                case RuleActionKind.Reject:
                    return new Step(Flow.Reject, table, chain, rule);
                case RuleActionKind.Return:
                    return new Step(Flow.Return);
                case RuleActionKind.Jump or RuleActionKind.Goto:
                {
                    if (!table.Chains.TryGetValue(action.Target!, out var target))
                    {
                        return new Step(Flow.Unknown, table, chain, rule, $"chain {action.Target} is not in the dump");
                    }

                    var inner = RunChain(table, target, depth + 1);
                    if (inner.Flow is Flow.Return or Flow.Next)
                    {
                        // Back from a jump: next rule. Back from a goto: leave this chain too.
                        return new Step(action.Kind == RuleActionKind.Jump ? Flow.Next : Flow.Return);
                    }

                    return inner;
                }

                case RuleActionKind.DestinationNat or RuleActionKind.Redirect:
                    return Nat(action, table, chain, rule);
                case RuleActionKind.VerdictMap:
                    return Lookup(action.Map!, table, chain, rule, depth);
                default:
                    return new Step(Flow.Unknown, table, chain, rule, action.Detail);
            }
        }

        private static string Endpoint(IPAddress address, int port) =>
            address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                ? $"[{address}]:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}"
                : $"{address}:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

        private Step Lookup(VerdictMap map, FirewallTable table, FirewallChain chain, FirewallRule rule, int depth)
        {
            var random = RandomChoice.Decides(map);

            // numgen ... vmap holding every value the number can take: the last element is taken when no other was.
            var last = random && RandomChoice.CoversEveryDraw(map) ? map.Entries.Count - 1 : -1;
            for (var e = 0; e < map.Entries.Count; e++)
            {
                var entry = map.Entries[e];
                var result = MatchResult.Yes;
                for (var i = 0; i < map.Keys.Count && result != MatchResult.No; i++)
                {
                    var values = entry.Key[i];
                    var r = values is NumericValues { IpVersion: { } v } && v != _packet.IpVersion ? MatchResult.No : values.Test(map.Keys[i], _packet);
                    if (r != MatchResult.Yes)
                    {
                        result = r;
                    }
                }

                if (result == MatchResult.No)
                {
                    continue;
                }

                if (result == MatchResult.Unknown && e != last)
                {
                    var taken = Choose(new ChoicePoint(table, chain, rule, random ? "a random choice" : "verdict map key", random));
                    if (taken is null)
                    {
                        return new Step(Flow.Choice);
                    }

                    if (taken == false)
                    {
                        continue;
                    }
                }

                return Act(entry.Action, table, chain, rule, depth);
            }

            return new Step(Flow.Next);
        }

        private Step Nat(RuleAction action, FirewallTable table, FirewallChain chain, FirewallRule rule)
        {
            IPAddress? address = action.NatAddress;
            if (action.Kind == RuleActionKind.Redirect)
            {
                // REDIRECT goes to the incoming interface's (primary) address; the listener sees the same host.
                address = null;
            }

            var detail = action.Detail ?? (action.Kind == RuleActionKind.Redirect ? "redirect" : "dnat");
            _redirect = $"{detail} ({table.Backend} {table.Family.ToLabel()} {table.Name} {chain.Name}, {rule.Label})";
            if (action.NatPort is { } port)
            {
                _packet.DestinationPort = port;
            }

            _packet.DestinationNatted = true;
            if (address is not null)
            {
                _packet.Destination = PacketState.Encode(address);
                _packet.DestinationAddress = address;
                _path.Add($"{(action.Kind == RuleActionKind.Redirect ? "redirect" : "dnat")} {Endpoint(address, _packet.DestinationPort)}");
                if (!routing.IsLocal(address))
                {
                    _packet.DestinationIsLocal = false;

                    // The connection is routed on by the post-DNAT destination: from outside through forward and
                    // postrouting, from the host itself through postrouting.
                    if (routing.Egress?.Invoke(address) is not { } egress)
                    {
                        return new Step(Flow.Forwarded, table, chain, rule);
                    }

                    _forwardedOut = egress;
                    _forwardedTo = new IPEndPoint(address, _packet.DestinationPort);
                }
            }
            else
            {
                _path.Add($"redirect :{_packet.DestinationPort.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            }

            // A loopback destination from outside is this host's own (where the kernel lets it through: route_localnet,
            // which the caller knows); made here it is the host's own connection to itself, not a delivery elsewhere.
            if (_packet.DestinationIsLocal && (!_inside || !IPAddress.IsLoopback(_packet.DestinationAddress))
                && (_packet.DestinationPort != connection.Port || !_packet.DestinationAddress.Equals(connection.Destination)))
            {
                _delivered = new IPEndPoint(_packet.DestinationAddress, _packet.DestinationPort);
            }

            return new Step(Flow.Accept, table, chain, rule);
        }
    }
}
