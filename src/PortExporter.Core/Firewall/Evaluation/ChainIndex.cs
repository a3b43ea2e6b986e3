using System.Collections.Concurrent;
using PortExporter.Core.Firewall.Model;

namespace PortExporter.Core.Firewall.Evaluation;

/// <summary>
/// The rules of one long chain indexed by destination port: rules whose plain port match names at most
/// <see cref="MaxIndexedPorts"/> ports sit in per-port buckets, the others in a general list. The candidates for a
/// packet (the rules its protocol, addresses and port do not rule out, in chain order) are computed once per
/// (protocol, addresses, port range) and kept, so evaluating 100 ports over 10k rules walks a handful of rules each.
/// Thread-safe.
/// </summary>
internal sealed class ChainIndex
{
    public const int MaxIndexedPorts = 64;

    private readonly FirewallRule[] _rules;
    private readonly int[] _general;
    private readonly Dictionary<int, int[]> _byPort;
    private readonly ConcurrentDictionary<(byte Protocol, int Version, UInt128 Source, UInt128 Destination, int Low, int High), FirewallRule[]> _candidates = new();

    public ChainIndex(FirewallChain chain)
    {
        _rules = chain.RuleArray;
        var general = new List<int>();
        var byPort = new Dictionary<int, List<int>>();
        for (var i = 0; i < _rules.Length; i++)
        {
            var ports = _rules[i].RequiredPorts?.Values(MaxIndexedPorts);
            if (ports is null)
            {
                general.Add(i);
                continue;
            }

            foreach (var port in ports)
            {
                if (!byPort.TryGetValue((int)port, out var list))
                {
                    byPort[(int)port] = list = [];
                }

                list.Add(i);
            }
        }

        _general = [.. general];
        _byPort = byPort.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
    }

    public FirewallRule[] Candidates(PacketState packet) =>
        _candidates.GetOrAdd(
            (packet.Protocol, packet.IpVersion, packet.Source, packet.Destination, packet.DestinationPortLow, packet.DestinationPortHigh),
            static (_, state) => state.Index.Compute(state.Packet),
            (Index: this, Packet: packet));

    private FirewallRule[] Compute(PacketState packet)
    {
        IEnumerable<int> indices;
        if (packet.DestinationPortLow == packet.DestinationPortHigh)
        {
            var bucket = _byPort.TryGetValue(packet.DestinationPortLow, out var b) ? b : [];
            indices = Merge(_general, bucket);
        }
        else
        {
            indices = Enumerable.Range(0, _rules.Length);
        }

        return [.. indices.Select(i => _rules[i]).Where(r => r.MightMatch(packet))];
    }

    private static IEnumerable<int> Merge(int[] a, int[] b)
    {
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            if (j >= b.Length || (i < a.Length && a[i] < b[j]))
            {
                yield return a[i++];
            }
            else
            {
                yield return b[j++];
            }
        }
    }
}
