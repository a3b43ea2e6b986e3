using System.Diagnostics.CodeAnalysis;
using System.Net;
using PortExporter.Core.Firewall;
using PortExporter.Firewall;
using PortExporter.Firewall.Evaluation;

namespace PortExporter.Core.Network;

/// <summary>
/// The kernel's routing as the last gate of a connection from outside the rules let in: its route for the packet
/// coming in, and for the replies going back (<see cref="RouteQuery"/>, every table and policy rule). Where either is
/// refused (a <c>blackhole</c>, <c>unreachable</c> or <c>prohibit</c> route or <c>ip rule</c>; the reverse path
/// filter, also where policy routing keeps <see cref="ReversePathFilter"/> from simulating it), the connection never
/// gets an answer, whatever the rules say. Every source is asked: outside, inside and each <c>from:</c> range (both
/// its ends). No route back at all refuses too for a range the config names, as its clients were promised an answer,
/// and for the outside client once the default route of its family is gone (<see cref="DefaultRouteMemory"/>): not
/// while the host never had one, as it then answers only the networks it routes.
/// The verdicts made this way have the backend <see cref="VerdictBackend"/>.
/// </summary>
public static class KernelRouting
{
    /// <summary>The <c>backend</c> of a verdict the kernel's routing made (no ruleset involved).</summary>
    public const string VerdictBackend = "routing";

    /// <summary>A route question: destination, source, the interface the packet comes in on (null: sent by this host).</summary>
    public delegate RouteAnswer? Ask(IPAddress destination, IPAddress source, string? inputInterface);

    /// <summary>
    /// The ports' results with each accepted connection the kernel's routing refuses dropped: outside, inside and each
    /// <c>from:</c> range's ends. Each question is asked once (ports on the same address ask the same ones).
    /// </summary>
    /// <param name="results">The rules' verdicts per port.</param>
    /// <param name="ask">The kernel's route lookup.</param>
    /// <param name="lost">Default routes the host had and has no more.</param>
    public static Dictionary<PortKey, FirewallPortResult> Apply(Dictionary<PortKey, FirewallPortResult> results, Ask ask, IReadOnlyList<LostDefaultRoute>? lost = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(ask);
        var answers = new Dictionary<(IPAddress, IPAddress, string?), RouteAnswer?>();
        RouteAnswer? Once(IPAddress destination, IPAddress source, string? inputInterface)
        {
            if (!answers.TryGetValue((destination, source, inputInterface), out var answer))
            {
                answer = ask(destination, source, inputInterface);
                answers[(destination, source, inputInterface)] = answer;
            }

            return answer;
        }

        foreach (var (key, result) in results.ToList())
        {
            var gone = result.OutsideConnection is { } outside ? lost?.FirstOrDefault(r => r.IpVersion == outside.IpVersion) : null;
            var gated = Gate(result.Outside, result.OutsideConnection, Once, gone is null ? null : $"{gone.Describe()}, is gone, so outside clients never get an answer");
            var reply = ReplyElsewhere(gated, result.OutsideConnection, Once);
            var inside = Gate(result.Inside, result.InsideConnection, Once);
            var from = result.From.Count == 0 ? result.From : [.. result.From.Select(source => GateRange(source, Once))];
            if (!ReferenceEquals(gated, result.Outside) || reply is not null || !ReferenceEquals(inside, result.Inside)
                || from.Where((source, i) => !ReferenceEquals(source, result.From[i])).Any())
            {
                results[key] = result with { Outside = gated, ReplyInterface = reply, Inside = inside, From = from };
            }
        }

        return results;
    }

    /// <summary>
    /// A <c>from:</c> range's verdict gated at each end simulated (<see cref="SourceVerdict.Addresses"/>): the first end
    /// the kernel refuses, or has no route back to, makes it a drop with that end's connection; else as it was.
    /// </summary>
    public static SourceVerdict GateRange(SourceVerdict source, Ask ask)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(ask);
        if (source.Connection is not { } connection)
        {
            return source;
        }

        IEnumerable<IPAddress> ends = source.Addresses.Count > 0 ? source.Addresses : [connection.Source];
        foreach (var end in ends)
        {
            var client = end.Equals(connection.Source) ? connection : connection with { Source = end };
            var gated = Gate(source.Decision, client, ask, "so the clients the config names in that range never get an answer");
            if (!ReferenceEquals(gated, source.Decision))
            {
                return source with { Decision = gated, Connection = client };
            }
        }

        return source;
    }

    /// <summary>
    /// <paramref name="decision"/> unless it accepts <paramref name="connection"/> (to this host, not forwarded) and the
    /// kernel refuses the packet's route in or the replies' route back, or has no route back at all where
    /// <paramref name="noRoute"/> says what that breaks (null: nothing, the client is one the exporter imagines on a
    /// host that routes only its own networks); then a drop that says which and why.
    /// </summary>
    public static FirewallDecision Gate(FirewallDecision decision, SimulatedConnection? connection, Ask ask, string? noRoute = null)
    {
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(ask);
        if (!ReachesThisHost(decision, connection))
        {
            return decision;
        }

        var source = connection.Source;
        var destination = connection.Destination;
        if (ask(destination, source, connection.Interface) is { Refuses: true } incoming)
        {
            return Drop(decision, $"ip route get {destination} from {source} iif {connection.Interface}", incoming,
                $"the rules accept it, but the kernel's routing refuses it as it comes in on {connection.Interface}: {incoming.Describe()}");
        }

        var back = ask(source, destination, null);
        if (noRoute is not null && back is { NoRoute: true })
        {
            return Drop(decision, $"ip route get {source} from {destination}", back,
                $"the rules accept it, but the replies from {destination} to {source} have no way back: the host has no route to {source}, not even a default one; {noRoute}");
        }

        if (back is { Refuses: true })
        {
            return Drop(decision, $"ip route get {source} from {destination}", back,
                $"the rules accept it, but the replies from {destination} to {source} have no way back: the kernel's route for them is {back.Describe()}, so the client never gets an answer");
        }

        return decision;
    }

    /// <summary>
    /// The interface the kernel sends the replies to an accepted outside <paramref name="connection"/> (to this host,
    /// not forwarded) out of, when it is not the one the connection comes in on: asymmetric routing, which this host
    /// allows but a stateful firewall or an anti-spoofing filter upstream drops. Null when the replies leave the way the
    /// connection came, or there is no such answer.
    /// </summary>
    public static string? ReplyElsewhere(FirewallDecision decision, SimulatedConnection? connection, Ask ask)
    {
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(ask);
        if (!ReachesThisHost(decision, connection))
        {
            return null;
        }

        return ask(connection.Source, connection.Destination, null) is { Errno: 0, Interface: { } oif }
            && oif != connection.Interface && oif != HostNetwork.LoopbackInterface
            ? oif
            : null;
    }

    /// <summary>The rules accept <paramref name="connection"/> from outside, to this host itself (not forwarded, not over lo): the kernel routes it in and its replies back.</summary>
    private static bool ReachesThisHost(FirewallDecision decision, [NotNullWhen(true)] SimulatedConnection? connection) =>
        connection is not null && decision.Verdict == FirewallVerdict.Accept && decision.ForwardedTo is null
        && connection.Interface != HostNetwork.LoopbackInterface;

    private static FirewallDecision Drop(FirewallDecision decision, string question, RouteAnswer answer, string detail) =>
        new(FirewallVerdict.Drop, VerdictBackend, string.Empty, string.Empty, $"{question}: {answer.Name}")
        {
            Detail = detail,
            Path = decision.Path,
        };
}
