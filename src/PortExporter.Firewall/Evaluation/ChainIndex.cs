using System.Collections.Concurrent;
using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Evaluation;

/// <summary>
/// The rules of one long chain indexed by destination port: rules whose plain port match names at most
/// <see cref="MaxIndexedPorts"/> ports sit in per-port buckets, the others in a general list. The candidates for a
/// packet are the rules its protocol, addresses and port do not rule out, in chain order, so evaluating 100 ports
/// over 10k rules walks a handful of rules each. Thread-safe.
/// <para>
/// Candidates are computed once per (protocol, addresses, port range) and kept only when that takes work: when
/// the packet's bucket and the general list together hold more than <see cref="MaxUncachedRules"/> rules, or for a
/// port range. Filtering a few rules costs about what a lookup costs, while keeping a list per chain and packet
/// would cost memory for as long as the ruleset is current (most chains of a long ruleset have short buckets).
/// The buckets are kept as three flat arrays rather than a dictionary of arrays, for the same reason.
/// </para>
/// </summary>
internal sealed class ChainIndex
{
    public const int MaxIndexedPorts = 64;

    public const int MaxUncachedRules = 16;

    private readonly FirewallRule[] _rules;
    private readonly int[] _general;

    // The indexed ports, ascending; the rules (indices, ascending) of _ports[i] are _bucketRules[_starts[i].._starts[i + 1]].
    private readonly int[] _ports;
    private readonly int[] _starts;
    private readonly int[] _bucketRules;

    // Made on the first list worth keeping; most chains never have one.
    private ConcurrentDictionary<(byte Protocol, int Version, UInt128 Source, UInt128 Destination, int Low, int High), FirewallRule[]>? _candidates;

    // The general rules, once a packet with an empty bucket has kept them all: the list of many such packets.
    private FirewallRule[]? _generalRules;

    public ChainIndex(FirewallChain chain)
    {
        _rules = chain.RuleArray;
        var general = new List<int>();
        var byPort = new SortedDictionary<int, List<int>>();
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
        _ports = [.. byPort.Keys];
        _starts = new int[_ports.Length + 1];
        var bucketRules = new List<int>();
        var p = 0;
        foreach (var list in byPort.Values)
        {
            _starts[p++] = bucketRules.Count;
            bucketRules.AddRange(list);
        }

        _starts[p] = bucketRules.Count;
        _bucketRules = [.. bucketRules];
    }

    public FirewallRule[] Candidates(PacketState packet)
    {
        if (packet.DestinationPortLow == packet.DestinationPortHigh && _general.Length + Bucket(packet.DestinationPortLow).Length <= MaxUncachedRules)
        {
            return Compute(packet);
        }

        return LazyInitializer.EnsureInitialized(ref _candidates).GetOrAdd(
            (packet.Protocol, packet.IpVersion, packet.Source, packet.Destination, packet.DestinationPortLow, packet.DestinationPortHigh),
            static (_, state) => state.Index.Compute(state.Packet),
            (Index: this, Packet: packet));
    }

    private ReadOnlySpan<int> Bucket(int port)
    {
        var i = Array.BinarySearch(_ports, port);
        return i < 0 ? [] : _bucketRules.AsSpan(_starts[i], _starts[i + 1] - _starts[i]);
    }

    private FirewallRule[] Compute(PacketState packet)
    {
        List<FirewallRule>? kept = null;
        if (packet.DestinationPortLow == packet.DestinationPortHigh)
        {
            // The general rules and the port's bucket, merged back into chain order (a rule is in one or the other).
            ReadOnlySpan<int> general = _general;
            var bucket = Bucket(packet.DestinationPortLow);
            int i = 0, j = 0;
            while (i < general.Length || j < bucket.Length)
            {
                var index = j >= bucket.Length || (i < general.Length && general[i] < bucket[j]) ? general[i++] : bucket[j++];
                Keep(ref kept, _rules[index], packet);
            }

            if (bucket.IsEmpty && kept is not null && kept.Count == general.Length)
            {
                if (Volatile.Read(ref _generalRules) is not { } all)
                {
                    all = [.. kept];
                    all = Interlocked.CompareExchange(ref _generalRules, all, null) ?? all;
                }

                return all;
            }
        }
        else
        {
            foreach (var rule in _rules)
            {
                Keep(ref kept, rule, packet);
            }
        }

        return kept is null ? [] : [.. kept];
    }

    private static void Keep(ref List<FirewallRule>? kept, FirewallRule rule, PacketState packet)
    {
        if (rule.MightMatch(packet))
        {
            (kept ??= []).Add(rule);
        }
    }
}
