using System.Globalization;
using PortExporter.Firewall.Iptables;
using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Ipset;

/// <summary>
/// Pure parser of <c>ipset save</c>: <c>create NAME TYPE [options]</c> then <c>add NAME ELEMENT [options]</c> lines.
/// Entries of the modelled types (<see cref="IpsetTypes"/>) are compiled into lookup groups: per protocol and port, the
/// addresses an entry covers, with <c>nomatch</c> entries taken out where they are more specific (as the kernel's
/// hash:net lookup, which answers from the most specific matching prefix). A set of another type is kept as
/// <see cref="IpsetSet.Unsupported"/>; a <c>timeout</c> only says when an entry goes away, so an entry listed is
/// an entry that matches now. A structurally broken dump throws <see cref="FirewallParseException"/> naming the line.
/// </summary>
public static class IpsetSaveParser
{
    /// <summary>Upper bound on entries in one dump, so a runaway input is an error and not unbounded memory.</summary>
    public const int MaxEntries = 4_000_000;

    // create options that take a value; any other word after the type is a flag (counters, comment, skbinfo, forceadd).
    private static readonly HashSet<string> ValueOptions = new(StringComparer.Ordinal)
    {
        "family", "hashsize", "maxelem", "timeout", "netmask", "bitmask", "range", "size", "bucketsize", "initval", "markmask", "probes", "resize",
    };

    // Protocols whose entries carry a port; icmp/icmpv6 carry a type/code instead.
    private static readonly byte[] BitmapPortProtocols = [PacketState.Tcp, PacketState.Udp];

    /// <param name="text">The dump.</param>
    /// <param name="source">The command or file it came from, for error messages.</param>
    /// <param name="maxEntries">Entries allowed before the dump is refused as runaway.</param>
    public static IpsetCatalog Parse(string text, string source, int maxEntries = MaxEntries)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            throw new FirewallParseException(source, "input", "binary data (NUL byte) in a text dump");
        }

        var builders = new Dictionary<string, SetBuilder>(StringComparer.Ordinal);
        var contents = new Dictionary<string, SetContent.Builder>(StringComparer.Ordinal);
        var order = new List<string>();
        var lineNumber = 0;
        var entries = 0;
        foreach (var rawLine in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            var line = rawLine.Trim().ToString();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var where = $"line {lineNumber.ToString(CultureInfo.InvariantCulture)}";
            var tokens = IptablesTokenizer.Split(line) ?? throw new FirewallParseException(source, where, "unclosed quote", line);
            if (tokens.Count < 3)
            {
                throw new FirewallParseException(source, where, "expected 'create NAME TYPE' or 'add NAME ELEMENT'", line);
            }

            switch (tokens[0])
            {
                case "create":
                    if (builders.ContainsKey(tokens[1]))
                    {
                        throw new FirewallParseException(source, where, $"set '{tokens[1]}' created twice", line);
                    }

                    builders[tokens[1]] = SetBuilder.Create(tokens, source, where, line);
                    contents[tokens[1]] = new SetContent.Builder(tokens[1]);
                    order.Add(tokens[1]);
                    break;
                case "add":
                    if (!builders.TryGetValue(tokens[1], out var builder))
                    {
                        throw new FirewallParseException(source, where, $"entry of set '{tokens[1]}' before its create line", line);
                    }

                    if (++entries > maxEntries)
                    {
                        throw new FirewallParseException(source, where, $"more than {maxEntries.ToString(CultureInfo.InvariantCulture)} entries (runaway input?)");
                    }

                    if (builder.Add(tokens) is { } problem)
                    {
                        throw new FirewallParseException(source, where, problem, line);
                    }

                    contents[tokens[1]].Add(IpsetMembers.Text(tokens));

                    break;
                default:
                    throw new FirewallParseException(source, where, $"unknown command '{tokens[0]}'", line);
            }
        }

        return new IpsetCatalog(order.ToDictionary(n => n, n => builders[n].Build() with { Content = contents[n].Build() }, StringComparer.Ordinal));
    }

    /// <summary>Collects the entries of one set.</summary>
    private sealed class SetBuilder
    {
        private readonly string _name;
        private readonly string _type;
        private readonly IpsetType? _model;
        private readonly int? _ipVersion;
        private readonly int? _netmask;
        private readonly string? _unsupported;
        private readonly List<string> _members = [];

        // Per group (protocol and port of the entry, "" without a port dimension): its components other than the
        // addresses, and the address (or port) ranges of its match and nomatch entries by prefix length.
        private readonly Dictionary<string, Group> _groups = new(StringComparer.Ordinal);
        private int _entries;

        // A hash:net,iface set with both: a wildcard entry's group and an exact one's can hold the same packet, and
        // which of the two the kernel's most-specific lookup reaches first is not per group any more.
        private bool _wildcard;
        private bool _nomatch;

        private SetBuilder(string name, string type, IpsetType? model, int? ipVersion, int? netmask, string? unsupported)
        {
            (_name, _type, _model, _ipVersion, _netmask, _unsupported) = (name, type, model, ipVersion, netmask, unsupported);
        }

        private int Bits => _ipVersion == 6 ? 128 : 32;

        public static SetBuilder Create(List<string> tokens, string source, string where, string line)
        {
            var type = tokens[2];
            var model = IpsetTypes.ByName.GetValueOrDefault(type);
            int? version = model is { EitherFamily: true } ? null : 4;
            int? netmask = null;
            string? unsupported = model is null ? $"set type {type}" : null;
            for (var i = 3; i < tokens.Count; i++)
            {
                var option = tokens[i];
                if (!ValueOptions.Contains(option))
                {
                    continue;
                }

                if (i + 1 >= tokens.Count)
                {
                    throw new FirewallParseException(source, where, $"'{option}' needs a value", line);
                }

                var value = tokens[++i];
                switch (option)
                {
                    case "family" when model is not { EitherFamily: true }:
                        version = value switch
                        {
                            "inet" => 4,
                            "inet6" => 6,
                            _ => throw new FirewallParseException(source, where, $"unknown family '{value}'", line),
                        };
                        break;
                    case "netmask":
                        netmask = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
                            : throw new FirewallParseException(source, where, $"bad netmask '{value}'", line);
                        break;
                    case "bitmask":
                        unsupported ??= $"bitmask {value}";
                        break;
                }
            }

            if (model is { OnlyIpv4: true } && version != 4)
            {
                throw new FirewallParseException(source, where, $"{type} holds IPv4 addresses only", line);
            }

            if (netmask is { } m && (m < 1 || m > (version == 6 ? 128 : 32)))
            {
                throw new FirewallParseException(source, where, $"netmask {m.ToString(CultureInfo.InvariantCulture)} out of range", line);
            }

            return new SetBuilder(tokens[1], type, model, version, netmask, unsupported);
        }

        /// <summary>Adds one entry; returns why it is broken, or null.</summary>
        public string? Add(List<string> tokens)
        {
            _entries++;
            var element = tokens[2];
            if (_unsupported is not null)
            {
                return null;
            }

            if (_type == IpsetTypes.ListSet)
            {
                _members.Add(element);
                return null;
            }

            var nomatch = tokens.Skip(3).Contains("nomatch");
            var dimensions = _model!.Dimensions;
            var parts = element.Split(',');
            if (parts.Length != dimensions.Length)
            {
                return $"{_type} entry needs {dimensions.Length.ToString(CultureInfo.InvariantCulture)} part(s) separated by ','";
            }

            UInt128 low = 0, high = 0;
            var length = 0;
            var key = string.Empty;
            var others = new List<FieldValues>();
            for (var d = 0; d < dimensions.Length; d++)
            {
                if (dimensions[d] == IpsetDimension.Interface)
                {
                    if (InterfaceName(parts[d], tokens.Skip(3).Contains("wildcard")) is not { } name)
                    {
                        return $"bad interface '{parts[d]}'";
                    }

                    _wildcard |= name.Wildcard;
                    _nomatch |= nomatch;
                    others.Add(name);
                    key += $"{parts[d]}{(name.Wildcard ? " wildcard" : string.Empty)},";
                }
                else if (dimensions[d] == IpsetDimension.Address)
                {
                    if (!FirewallValueParser.TryCidr(parts[d], _ipVersion, out _, out low, out high))
                    {
                        return $"bad address '{parts[d]}' for a family {(_ipVersion == 6 ? "inet6" : "inet")} set";
                    }

                    if (_netmask is { } mask && low == high)
                    {
                        (low, high) = FirewallValueParser.PrefixRange(low, mask, Bits);
                    }

                    length = PrefixLength(low, high);
                }
                else if (Port(parts[d], out var protocols, out var ports, out var portKey, out var protocolKey) is { } problem)
                {
                    return problem;
                }
                else if (dimensions.Contains(IpsetDimension.Address))
                {
                    others.Add(protocols);
                    others.Add(ports.Values);
                    key += portKey;
                }
                else
                {
                    // A port-only set: one group per protocol, its ports as the ranges.
                    others.Add(protocols);
                    (low, high) = ((UInt128)ports.Low, (UInt128)ports.High);
                    key = protocolKey;
                }
            }

            if (!_groups.TryGetValue(key, out var group))
            {
                group = new Group(others);
                _groups[key] = group;
            }

            group.Add(length, low, high, nomatch);
            return null;
        }

        public IpsetSet Build()
        {
            if (_unsupported is not null)
            {
                return new IpsetSet(_name, _type, _ipVersion, [], [], [], _entries, _unsupported);
            }

            if (_wildcard && _nomatch)
            {
                return new IpsetSet(_name, _type, _ipVersion, [], [], [], _entries, "wildcard and nomatch entries in one hash:net,iface set");
            }

            var elements = Elements(g => g.Effective());
            return _model!.NoMatch
                ? new IpsetSet(_name, _type, _ipVersion, _model.Dimensions, elements, [.. _members], _entries, NomatchElements: Elements(g => g.EffectiveNomatch()), HasNomatch: true)
                : new IpsetSet(_name, _type, _ipVersion, _model.Dimensions, elements, [.. _members], _entries);
        }

        /// <summary>The lookup elements of every group, each with the addresses (or ports) <paramref name="covering"/> picks from it.</summary>
        private List<FieldValues[]> Elements(Func<Group, IntervalSet> covering)
        {
            var dimensions = _model!.Dimensions;
            var elements = new List<FieldValues[]>();
            foreach (var group in _groups.Values)
            {
                var covered = covering(group);
                if (covered.RangeCount == 0 || covered.Count == 0)
                {
                    continue;
                }

                var components = new List<FieldValues>();
                var other = 0;
                foreach (var dimension in dimensions)
                {
                    if (dimension == IpsetDimension.Address)
                    {
                        components.Add(new NumericValues(covered, _ipVersion));
                    }
                    else if (dimension == IpsetDimension.Interface)
                    {
                        components.Add(group.Others[other++]);
                    }
                    else if (dimensions.Contains(IpsetDimension.Address))
                    {
                        components.Add(group.Others[other++]);
                        components.Add(group.Others[other++]);
                    }
                    else
                    {
                        components.Add(group.Others[other++]);
                        components.Add(new NumericValues(covered));
                    }
                }

                elements.Add([.. components]);
            }

            return elements;
        }

        /// <summary>
        /// The interface of a <c>hash:net,iface</c> entry: a name, or <c>physdev:NAME</c> (a bridge port), compared in
        /// full or, with the entry's <c>wildcard</c> flag, as a prefix; null when it is no interface name.
        /// </summary>
        private static IpsetInterfaceValues? InterfaceName(string text, bool wildcard)
        {
            const string PhysdevPrefix = "physdev:";
            var physdev = text.StartsWith(PhysdevPrefix, StringComparison.Ordinal);
            var name = physdev ? text[PhysdevPrefix.Length..] : text;
            return name.Length is 0 or > IpsetInterfaceValues.MaxNameLength ? null : new IpsetInterfaceValues(name, wildcard, physdev);
        }

        private static int PrefixLength(UInt128 low, UInt128 high)
        {
            var size = high - low;
            return size == 0 ? 128 : 128 - ((int)UInt128.Log2(size) + 1);
        }

        /// <summary><c>tcp:80</c>, <c>udp:53</c>, <c>icmp:echo-request</c>, <c>gre:0</c>, or a bare port (bitmap:port: TCP or UDP).</summary>
        private static string? Port(string text, out FieldValues protocols, out (FieldValues Values, int Low, int High) ports, out string key, out string protocolKey)
        {
            ports = (OpaqueValues.Instance, 0, 0);
            key = text;
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            var portText = colon < 0 ? text : text[(colon + 1)..];
            protocolKey = colon < 0 ? "tcp,udp" : text[..colon];
            if (colon < 0)
            {
                protocols = new NumericValues(IntervalSet.Of(BitmapPortProtocols.Select(p => ((UInt128)p, (UInt128)p))));
            }
            else if (FirewallValueParser.TryProtocol(protocolKey, out var protocol))
            {
                protocols = new NumericValues(IntervalSet.One(protocol));
                if (protocol is PacketState.Icmp or PacketState.Icmpv6)
                {
                    return FirewallValueParser.TryIcmpType(portText, protocol == PacketState.Icmpv6, out _, out _) ? null : $"bad ICMP type '{portText}'";
                }
            }
            else
            {
                protocols = OpaqueValues.Instance;
                return $"unknown protocol '{protocolKey}'";
            }

            if (!FirewallValueParser.TryPortRange(portText, out var low, out var high))
            {
                return $"bad port '{portText}'";
            }

            ports = (new NumericValues(IntervalSet.Range((UInt128)low, (UInt128)high)), low, high);
            return null;
        }
    }

    /// <summary>The entries of one lookup group: ranges by prefix length, match and nomatch apart.</summary>
    private sealed class Group(List<FieldValues> others)
    {
        private readonly SortedDictionary<int, (List<(UInt128, UInt128)> Match, List<(UInt128, UInt128)> NoMatch)> _byLength = [];

        public List<FieldValues> Others { get; } = others;

        public void Add(int length, UInt128 low, UInt128 high, bool nomatch)
        {
            if (!_byLength.TryGetValue(length, out var lists))
            {
                lists = ([], []);
                _byLength[length] = lists;
            }

            (nomatch ? lists.NoMatch : lists.Match).Add((low, high));
        }

        /// <summary>
        /// What the group matches: from the least to the most specific prefix, each length's entries replace what the
        /// shorter ones said about their range (entries of one length never overlap, so their order does not matter).
        /// </summary>
        public IntervalSet Effective()
        {
            var set = IntervalSet.Empty;
            foreach (var (_, (match, noMatch)) in _byLength)
            {
                set = IntervalSet.Union(set, IntervalSet.Of(match));
                if (noMatch.Count > 0)
                {
                    set = IntervalSet.Except(set, IntervalSet.Of(noMatch));
                }
            }

            return set;
        }

        /// <summary>
        /// What the group finds a <c>nomatch</c> entry for: from the least to the most specific prefix, each length's
        /// match entries take their range out and its nomatch entries put theirs in (the complement of
        /// <see cref="Effective"/> within what the group covers at all).
        /// </summary>
        public IntervalSet EffectiveNomatch()
        {
            var set = IntervalSet.Empty;
            foreach (var (_, (match, noMatch)) in _byLength)
            {
                set = IntervalSet.Union(IntervalSet.Except(set, IntervalSet.Of(match)), IntervalSet.Of(noMatch));
            }

            return set;
        }
    }
}
