using System.Globalization;
using System.Net;
using PortExporter.Core;
using PortExporter.Core.Configuration;
using PortExporter.Core.Firewall;
using PortExporter.Core.Network;
using PortExporter.Core.Firewall.Reading;
using PortExporter.Firewall.Evaluation;
using PortExporter.Firewall.Ipset;
using PortExporter.Firewall.Model;
using PortExporter.Firewall.Nftables;

namespace PortExporter.Tests.Firewall;

/// <summary>One line of a fixture's cases.txt: a port and the verdicts the real kernel gave.</summary>
public sealed record FixtureCase(string Fixture, TransportProtocol Protocol, int Port, IPAddress? Bind, FirewallVerdict Outside, FirewallVerdict Inside)
{
    public PortSpec Spec => new($"{Protocol.ToLabel()}-{Port}", Port, Protocol, Bind: Bind);

    public override string ToString() => $"{Fixture}: {Protocol.ToLabel()} {Port}{(Bind is null ? string.Empty : $" bind={Bind}")}";
}

/// <summary>
/// A container behind a bridge of the server (<c>container docker0 172.31.0.1/16 172.31.0.2/16 80 81</c> in cases.txt):
/// the bridge with the host's address on it, the container's address (its default route via the bridge address)
/// and the TCP ports it listens on. Ports published by a DNAT forward to it.
/// </summary>
public sealed record FixtureContainer(string Bridge, IPNetwork Gateway, IPAddress GatewayAddress, string Address, IReadOnlyList<int> Ports);

/// <summary>Reads the captured fixtures (see fixtures/capture.sh) and the server network they were captured on.</summary>
public static class FirewallFixture
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "Firewall", "fixtures");

    public static IEnumerable<string> Names => Directory.GetDirectories(Root).Select(Path.GetFileName).Where(n => File.Exists(Path.Combine(Root, n!, "cases.txt"))).Order(StringComparer.Ordinal)!;

    public static string Read(string fixture, string file) => File.ReadAllText(Path.Combine(Root, fixture, file));

    /// <summary>A capture that only some fixtures have (nft-chains.txt: only where an ingress chain needs it), or null.</summary>
    public static string? ReadOptional(string fixture, string file) => File.Exists(Path.Combine(Root, fixture, file)) ? Read(fixture, file) : null;

    /// <summary>eth0 = 10.77.0.1/24 + 2001:db8:77::1/64 with the default routes, lo: as capture.sh and the ground-truth server.</summary>
    public static HostNetwork ServerNetwork { get; } = new(
        [new HostInterface("lo", [IPAddress.Loopback, IPAddress.IPv6Loopback]), new HostInterface("eth0", [IPAddress.Parse("10.77.0.1"), IPAddress.Parse("2001:db8:77::1")])],
        "eth0",
        "eth0");

    /// <summary>The server network of <paramref name="fixture"/>: <see cref="ServerNetwork"/> with its routes, plus the bridge of each container.</summary>
    public static HostNetwork Network(string fixture)
    {
        var containers = Containers(fixture);
        return ServerNetwork with
        {
            Interfaces = [.. ServerNetwork.Interfaces, .. containers.Select(c => new HostInterface(c.Bridge, [c.GatewayAddress]))],
            Routes =
            [
                new HostRoute(IPNetwork.Parse("10.77.0.0/24"), "eth0", 0),
                new HostRoute(IPNetwork.Parse("0.0.0.0/0"), "eth0", 0),
                new HostRoute(IPNetwork.Parse("2001:db8:77::/64"), "eth0", 256),
                new HostRoute(IPNetwork.Parse("::/0"), "eth0", 1024),
                .. containers.Select(c => new HostRoute(c.Gateway, c.Bridge, 0)),
            ],
        };
    }

    /// <summary>The containers of a fixture (<c>container BRIDGE GATEWAY/PREFIX ADDRESS/PREFIX PORT...</c>).</summary>
    public static IReadOnlyList<FixtureContainer> Containers(string fixture) =>
        [.. Lines(fixture).Where(f => f[0] == "container").Select(f =>
        {
            var gateway = f[2].Split('/');
            var address = IPAddress.Parse(gateway[0]);
            var prefix = int.Parse(gateway[1], CultureInfo.InvariantCulture);
            return new FixtureContainer(f[1], new IPNetwork(Masked(address, prefix), prefix), address, f[3], [.. f.Skip(4).Select(p => int.Parse(p, CultureInfo.InvariantCulture))]);
        })];

    public static (FirewallRuleset Ruleset, IReadOnlyList<string> Backends) Ruleset(string fixture) =>
        RulesetAssembler.Assemble(
            NftChainDevices.Apply(NftJsonParser.Parse(Read(fixture, "nft.json")), NftChainDevices.Parse(ReadOptional(fixture, "nft-chains.txt") ?? "")),
            Read(fixture, "iptables-nft-save.txt"),
            Read(fixture, "ip6tables-nft-save.txt"),
            Read(fixture, "iptables-legacy-save.txt"),
            Read(fixture, "ip6tables-legacy-save.txt"),
            ReadOptional(fixture, "ipset-save.txt") is { } sets ? IpsetSaveParser.Parse(sets, "ipset-save.txt") : null);

    public static IReadOnlyList<FixtureCase> Cases(string fixture) =>
        [.. Lines(fixture).Where(f => f[0] is not ("listen" or "container")).Select(f => ParseCase(fixture, f))];

    /// <summary>Extra listeners (<c>listen tcp 9090</c>): ports a REDIRECT/DNAT sends traffic to.</summary>
    public static IReadOnlyList<(TransportProtocol Protocol, int Port)> ExtraListeners(string fixture) =>
        [.. Lines(fixture).Where(f => f[0] == "listen").Select(f => (Protocol(f[1]), int.Parse(f[2], CultureInfo.InvariantCulture)))];

    public static IEnumerable<object[]> AllCases() => Names.SelectMany(Cases).Select(c => new object[] { c.Fixture, c.Protocol.ToLabel(), c.Port, c.Bind?.ToString() ?? string.Empty });

    public static FixtureCase Case(string fixture, string protocol, int port, string bind) =>
        Cases(fixture).Single(c => c.Protocol.ToLabel() == protocol && c.Port == port && (c.Bind?.ToString() ?? string.Empty) == bind);

    public static (FirewallEvaluation Outside, FirewallEvaluation Inside) Evaluate(FirewallEvaluator evaluator, FixtureCase c, HostNetwork network)
    {
        var plan = ConnectionPlanner.Plan(c.Spec, null, network, null);
        Assert.NotNull(plan.Outside);
        return (evaluator.Evaluate(plan.Outside!, network.IsLocal, network.EgressInterface), evaluator.Evaluate(plan.Inside.Connections.Single(), network.IsLocal, network.EgressInterface));
    }

    private static IPAddress Masked(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new IPAddress(bytes);
    }

    private static IEnumerable<string[]> Lines(string fixture) =>
        Read(fixture, "cases.txt").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] != '#').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static FixtureCase ParseCase(string fixture, string[] f)
    {
        IPAddress? bind = null;
        var outside = FirewallVerdict.Unknown;
        var inside = FirewallVerdict.Unknown;
        foreach (var kv in f.Skip(2))
        {
            var (key, value) = (kv[..kv.IndexOf('=', StringComparison.Ordinal)], kv[(kv.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            switch (key)
            {
                case "bind":
                    bind = IPAddress.Parse(value);
                    break;
                case "outside":
                    outside = Verdict(value);
                    break;
                case "inside":
                    inside = Verdict(value);
                    break;
                default:
                    throw new FormatException($"{fixture}/cases.txt: unknown key {key}");
            }
        }

        return new FixtureCase(fixture, Protocol(f[0]), int.Parse(f[1], CultureInfo.InvariantCulture), bind, outside, inside);
    }

    private static TransportProtocol Protocol(string text) => TransportProtocolNames.TryParse(text, out var p) ? p : throw new FormatException(text);

    public static FirewallVerdict Verdict(string text) => text switch
    {
        "accept" => FirewallVerdict.Accept,
        "drop" => FirewallVerdict.Drop,
        "reject" => FirewallVerdict.Reject,
        "unknown" => FirewallVerdict.Unknown,
        _ => throw new FormatException(text),
    };
}
