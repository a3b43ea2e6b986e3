using System.Net;
using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Iptables;

/// <summary>
/// Compiles the arguments of one iptables-save rule (after <c>-A CHAIN</c>) into matches and an action.
/// Options it does not understand become <see cref="UnknownMatch"/>es (the rule can then decide "unknown"),
/// never a guess; only a structurally broken line is an error.
/// </summary>
internal sealed class IptablesRuleCompiler
{
    private static readonly HashSet<string> GenericOptions = new(StringComparer.Ordinal)
    {
        "-p", "--protocol", "-s", "--source", "--src", "-d", "--destination", "--dst", "-i", "--in-interface",
        "-o", "--out-interface", "-f", "--fragment", "-m", "--match", "-j", "--jump", "-g", "--goto", "-c", "--set-counters",
    };

    private static readonly HashSet<string> ContinueTargets = new(StringComparer.Ordinal)
    {
        "LOG", "NFLOG", "ULOG", "TRACE", "AUDIT", "TCPMSS", "DSCP", "TOS", "TTL", "HL", "CLASSIFY", "CHECKSUM",
        "SET", "SECMARK", "CONNSECMARK", "IDLETIMER", "LED", "RATEEST", "TEE", "ECN", "TCPOPTSTRIP",
    };

    private readonly List<string> _args;
    private readonly int _ipVersion;
    private readonly IReadOnlySet<string> _userChains;
    private readonly List<RuleMatch> _matches = [];
    private int _i;
    private byte? _protocol;

    private IptablesRuleCompiler(List<string> args, int ipVersion, IReadOnlySet<string> userChains)
    {
        _args = args;
        _ipVersion = ipVersion;
        _userChains = userChains;
    }

    public RuleAction Action { get; private set; } = RuleAction.Continue;

    public string? Comment { get; private set; }

    public bool SetsNotrack { get; private set; }

    public MarkChange? Mark { get; private set; }

    public (long Packets, long Bytes)? Counters { get; private set; }

    public IReadOnlyList<RuleMatch> Matches => _matches;

    /// <summary>Compiles; a problem comes back as the message of a parse error.</summary>
    /// <param name="args">The arguments after <c>-A CHAIN</c>.</param>
    /// <param name="ipVersion">4 or 6.</param>
    /// <param name="userChains">The user chains of the rule's table.</param>
    /// <param name="interner">Shares equal matches, actions and comments with the other rules of the same parse.</param>
    /// <param name="problem">Why the rule is broken, or null.</param>
    public static IptablesRuleCompiler Compile(List<string> args, int ipVersion, IReadOnlySet<string> userChains, RuleInterner interner, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(interner);
        var compiler = new IptablesRuleCompiler(args, ipVersion, userChains);
        problem = compiler.Run();
        interner.Matches(compiler._matches);
        compiler.Action = interner.Action(compiler.Action);
        compiler.Mark = interner.Mark(compiler.Mark);
        compiler.Comment = interner.Text(compiler.Comment);
        return compiler;
    }

    private string? Run()
    {
        var negate = false;
        while (_i < _args.Count)
        {
            var token = _args[_i++];
            if (token == "!")
            {
                negate = true;
                continue;
            }

            string? problem;
            switch (token)
            {
                case "-p" or "--protocol":
                    problem = Protocol(negate);
                    break;
                case "-s" or "--source" or "--src":
                    problem = Address(PacketField.SourceAddress, negate);
                    break;
                case "-d" or "--destination" or "--dst":
                    problem = Address(PacketField.DestinationAddress, negate);
                    break;
                case "-i" or "--in-interface":
                    problem = Interface(PacketField.InInterface, negate);
                    break;
                case "-o" or "--out-interface":
                    problem = Interface(PacketField.OutInterface, negate);
                    break;
                case "-f" or "--fragment":
                    _matches.Add(new ConstantMatch(MatchResult.No.Negate(negate)));
                    problem = null;
                    break;
                case "-m" or "--match":
                    problem = negate ? "'!' before -m" : Module();
                    break;
                case "-j" or "--jump":
                    problem = negate ? "'!' before -j" : Target(jump: true);
                    break;
                case "-g" or "--goto":
                    problem = negate ? "'!' before -g" : Target(jump: false);
                    break;
                case "-c" or "--set-counters":
                    problem = SetCounters();
                    break;
                default:
                    // An option with no -m before it: iptables-save always names the module, so this is the implicit
                    // protocol match (-p tcp --dport 80) of a hand-written dump.
                    if (token.StartsWith("--", StringComparison.Ordinal) && _protocol is PacketState.Tcp or PacketState.Udp)
                    {
                        _i--;
                        problem = ModuleOptions(_protocol == PacketState.Tcp ? "tcp" : "udp", negate);
                        break;
                    }

                    return $"unexpected argument '{token}'";
            }

            if (problem is not null)
            {
                return problem;
            }

            negate = false;
        }

        return null;
    }

    private string? Next(out string value)
    {
        if (_i >= _args.Count)
        {
            value = string.Empty;
            return $"'{_args[_i - 1]}' needs a value";
        }

        value = _args[_i++];
        return null;
    }

    private string? Protocol(bool negate)
    {
        if (Next(out var text) is { } problem)
        {
            return problem;
        }

        if (text is "all" or "0")
        {
            if (negate)
            {
                _matches.Add(new ConstantMatch(MatchResult.No));
            }

            return null;
        }

        if (!FirewallValueParser.TryProtocol(text, out var number))
        {
            _matches.Add(new UnknownMatch($"protocol '{text}'"));
            return null;
        }

        if (!negate)
        {
            _protocol = number;
        }

        _matches.Add(new FieldMatch(PacketField.L4Protocol, new NumericValues(IntervalSet.One(number)), negate));
        return null;
    }

    private string? Address(PacketField field, bool negate)
    {
        if (Next(out var text) is { } problem)
        {
            return problem;
        }

        var ranges = new List<(UInt128, UInt128)>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!FirewallValueParser.TryCidr(part, _ipVersion, out _, out var lo, out var hi))
            {
                _matches.Add(new UnknownMatch($"address '{text}'"));
                return null;
            }

            ranges.Add((lo, hi));
        }

        _matches.Add(new FieldMatch(field, new NumericValues(IntervalSet.Of(ranges), _ipVersion), negate));
        return null;
    }

    private string? Interface(PacketField field, bool negate)
    {
        if (Next(out var text) is { } problem)
        {
            return problem;
        }

        _matches.Add(new FieldMatch(field, new InterfaceValues([text]), negate));
        return null;
    }

    private string? SetCounters()
    {
        if (Next(out var p) is { } problem || Next(out var b) is { } problem2)
        {
            return "-c needs packets and bytes";
        }

        if (!long.TryParse(p, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var packets) ||
            !long.TryParse(b, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var bytes))
        {
            return $"bad counters '{p} {b}'";
        }

        Counters = (packets, bytes);
        return null;
    }

    private string? Module()
    {
        if (Next(out var name) is { } problem)
        {
            return problem;
        }

        return ModuleOptions(name, false);
    }

    /// <summary>Reads the options of module <paramref name="name"/> up to the next generic option.</summary>
    private string? ModuleOptions(string name, bool negateFirst)
    {
        var negate = negateFirst;
        var unknownStart = _i;
        var unknown = false;
        var produced = false;
        while (_i < _args.Count)
        {
            var token = _args[_i];
            if (GenericOptions.Contains(token) || (token == "!" && _i + 1 < _args.Count && GenericOptions.Contains(_args[_i + 1])))
            {
                break;
            }

            _i++;
            if (token == "!")
            {
                negate = true;
                continue;
            }

            var result = ModuleOption(name, token, negate);
            if (result == OptionResult.Problem)
            {
                return _problem;
            }

            if (result == OptionResult.Unknown)
            {
                unknown = true;
            }
            else
            {
                produced = true;
            }

            negate = false;
        }

        if (unknown || (!produced && !KnownWithoutOptions(name)))
        {
            var text = string.Join(' ', _args.Skip(unknownStart).Take(_i - unknownStart));
            _matches.Add(new UnknownMatch(text.Length == 0 ? $"-m {name}" : $"-m {name} {text}"));
        }

        return null;
    }

    private static bool KnownWithoutOptions(string module) => module is "tcp" or "udp" or "comment" or "limit" or "rpfilter" or "icmp" or "icmp6";

    private enum OptionResult
    {
        Done,
        Unknown,
        Problem,
    }

    private string? _problem;

    private OptionResult ModuleOption(string module, string option, bool negate)
    {
        switch (module, option)
        {
            case ("tcp" or "udp" or "sctp" or "dccp" or "udplite", "--dport" or "--destination-port"):
                return PortOption(PacketField.DestinationPort, negate, list: false);
            case ("tcp" or "udp" or "sctp" or "dccp" or "udplite", "--sport" or "--source-port"):
                return PortOption(PacketField.SourcePort, negate, list: false);
            case ("tcp", "--syn"):
                _matches.Add(new MaskedMatch(PacketField.TcpFlags, 0x17, PacketState.TcpSyn, negate ? MaskedComparison.NotEqual : MaskedComparison.Equal));
                return OptionResult.Done;
            case ("tcp", "--tcp-flags"):
                if (!NextValue(out var maskText) || !NextValue(out var compText))
                {
                    return OptionResult.Problem;
                }

                if (!TryTcpFlags(maskText, out var mask) || !TryTcpFlags(compText, out var comp))
                {
                    _matches.Add(new UnknownMatch($"--tcp-flags {maskText} {compText}"));
                    return OptionResult.Done;
                }

                _matches.Add(new MaskedMatch(PacketField.TcpFlags, mask, comp, negate ? MaskedComparison.NotEqual : MaskedComparison.Equal));
                return OptionResult.Done;
            case ("multiport", "--dports" or "--destination-ports"):
                return PortOption(PacketField.DestinationPort, negate, list: true);
            case ("multiport", "--sports" or "--source-ports"):
                return PortOption(PacketField.SourcePort, negate, list: true);
            case ("multiport", "--ports"):
            {
                if (!NextValue(out var text))
                {
                    return OptionResult.Problem;
                }

                if (FirewallValueParser.TryPortList(text) is not { } set)
                {
                    _matches.Add(new UnknownMatch($"--ports {text}"));
                    return OptionResult.Done;
                }

                _matches.Add(new PortEitherMatch(set, negate));
                return OptionResult.Done;
            }

            case ("state", "--state"):
            case ("conntrack", "--ctstate"):
            {
                if (!NextValue(out var text))
                {
                    return OptionResult.Problem;
                }

                var states = ConntrackStates.None;
                foreach (var name in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (!ConntrackStateNames.TryParse(name, out var s))
                    {
                        // SNAT / DNAT pseudo-states depend on the connection's NAT: not known here.
                        _matches.Add(new UnknownMatch($"{option} {text}"));
                        return OptionResult.Done;
                    }

                    states |= s;
                }

                _matches.Add(new FieldMatch(PacketField.ConntrackState, new ConntrackStateValues(states), negate));
                return OptionResult.Done;
            }

            case ("conntrack", "--ctstatus"):
            {
                if (!NextValue(out var text))
                {
                    return OptionResult.Problem;
                }

                uint bits = 0;
                foreach (var name in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    uint? bit = name.ToUpperInvariant() switch
                    {
                        "NONE" => 0,
                        "EXPECTED" => 0x1,
                        "SEEN_REPLY" => 0x2,
                        "ASSURED" => 0x4,
                        "CONFIRMED" => 0x8,
                        _ => null,
                    };
                    if (bit is null)
                    {
                        _matches.Add(new UnknownMatch($"--ctstatus {text}"));
                        return OptionResult.Done;
                    }

                    bits |= bit.Value;
                }

                // NONE alone matches a status with none of those bits.
                _matches.Add(bits == 0
                    ? new MaskedMatch(PacketField.ConntrackStatus, 0xF, 0, negate ? MaskedComparison.NotEqual : MaskedComparison.Equal)
                    : new MaskedMatch(PacketField.ConntrackStatus, 0xF, bits, negate ? MaskedComparison.NoBit : MaskedComparison.AnyBit));
                return OptionResult.Done;
            }

            case ("comment", "--comment"):
                if (!NextValue(out var comment))
                {
                    return OptionResult.Problem;
                }

                Comment = comment;
                return OptionResult.Done;
            case ("limit", "--limit" or "--limit-burst"):
                if (!NextValue(out _))
                {
                    return OptionResult.Problem;
                }

                if (!_matches.OfType<RateLimitMatch>().Any())
                {
                    _matches.Add(new RateLimitMatch(over: false));
                }

                return OptionResult.Done;
            case ("hashlimit", _):
                return HashLimitOption(option);
            case ("icmp", "--icmp-type"):
            case ("icmp6", "--icmpv6-type"):
                if (!NextValue(out var icmpType))
                {
                    return OptionResult.Problem;
                }

                // Only ICMP packets carry a type (a TCP/UDP connection fails here); the code is not compared.
                _matches.Add(new FieldMatch(PacketField.L4Protocol, new NumericValues(IntervalSet.One(module == "icmp" ? 1u : 58u))));
                if (icmpType == "any")
                {
                    return OptionResult.Done;
                }

                if (!FirewallValueParser.TryIcmpType(icmpType, module != "icmp", out var typeNumber, out var hasCode))
                {
                    _matches.Add(new UnknownMatch($"{option} {icmpType}"));
                    return OptionResult.Done;
                }

                _matches.Add(new FieldMatch(PacketField.IcmpType, new NumericValues(IntervalSet.One(typeNumber)), negate));
                if (hasCode)
                {
                    _matches.Add(new UnknownMatch($"{option} {icmpType} (code)"));
                }

                return OptionResult.Done;
            case ("addrtype", "--src-type" or "--dst-type"):
            {
                if (!NextValue(out var text))
                {
                    return OptionResult.Problem;
                }

                var types = AddressTypes.None;
                foreach (var t in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    types |= t.ToUpperInvariant() switch
                    {
                        "LOCAL" => AddressTypes.Local,
                        "UNICAST" => AddressTypes.Unicast,
                        "BROADCAST" => AddressTypes.Broadcast,
                        "MULTICAST" => AddressTypes.Multicast,
                        _ => AddressTypes.Other,
                    };
                }

                _matches.Add(new AddressTypeMatch(option == "--src-type", types, negate));
                return OptionResult.Done;
            }

            case ("iprange", "--src-range" or "--dst-range"):
            {
                if (!NextValue(out var text))
                {
                    return OptionResult.Problem;
                }

                var dash = text.IndexOf('-', StringComparison.Ordinal);
                if (dash < 0 || !FirewallValueParser.TryAddress(text[..dash], _ipVersion, out var lo) || !FirewallValueParser.TryAddress(text[(dash + 1)..], _ipVersion, out var hi))
                {
                    _matches.Add(new UnknownMatch($"{option} {text}"));
                    return OptionResult.Done;
                }

                var field = option == "--src-range" ? PacketField.SourceAddress : PacketField.DestinationAddress;
                _matches.Add(new FieldMatch(field, new NumericValues(IntervalSet.Range(PacketState.Encode(lo), PacketState.Encode(hi)), _ipVersion), negate));
                return OptionResult.Done;
            }

            case ("mark", "--mark"):
            {
                if (!NextValue(out var text))
                {
                    return OptionResult.Problem;
                }

                if (!FirewallValueParser.TryMark(text, out var markValue, out var markMask))
                {
                    _matches.Add(new UnknownMatch($"--mark {text}"));
                    return OptionResult.Done;
                }

                _matches.Add(new MaskedMatch(PacketField.Mark, markMask, markValue & markMask, negate ? MaskedComparison.NotEqual : MaskedComparison.Equal));
                return OptionResult.Done;
            }

            case ("pkttype", "--pkt-type"):
            {
                if (!NextValue(out var text))
                {
                    return OptionResult.Problem;
                }

                uint? type = text switch
                {
                    "unicast" or "host" => 0,
                    "broadcast" => 1,
                    "multicast" => 2,
                    "otherhost" => 3,
                    _ => null,
                };
                _matches.Add(type is { } t ? new FieldMatch(PacketField.PacketType, new NumericValues(IntervalSet.One(t)), negate) : new UnknownMatch($"--pkt-type {text}"));
                return OptionResult.Done;
            }

            case ("rpfilter", "--invert"):
                // The simulated packet arrives on the interface its source routes back through: reverse path passes.
                _matches.Add(new ConstantMatch(MatchResult.No));
                return OptionResult.Done;
            case ("rpfilter", "--loose" or "--validmark" or "--accept-local"):
                return OptionResult.Done;
            default:
                // Unknown option of a known module, or any option of an unknown module: consume its values.
                while (_i < _args.Count && !_args[_i].StartsWith("--", StringComparison.Ordinal) && _args[_i] != "!" && !GenericOptions.Contains(_args[_i]))
                {
                    _i++;
                }

                return OptionResult.Unknown;
        }
    }

    private OptionResult HashLimitOption(string option)
    {
        switch (option)
        {
            case "--hashlimit-above":
                if (!NextValue(out _))
                {
                    return OptionResult.Problem;
                }

                _matches.RemoveAll(m => m is RateLimitMatch);
                _matches.Add(new RateLimitMatch(over: true));
                return OptionResult.Done;
            case "--hashlimit-upto" or "--hashlimit":
                if (!NextValue(out _))
                {
                    return OptionResult.Problem;
                }

                if (!_matches.OfType<RateLimitMatch>().Any())
                {
                    _matches.Add(new RateLimitMatch(over: false));
                }

                return OptionResult.Done;
            case "--hashlimit-rate-match":
                return OptionResult.Done;
            default:
                if (!NextValue(out _))
                {
                    return OptionResult.Problem;
                }

                return OptionResult.Done;
        }
    }

    private bool NextValue(out string value)
    {
        if (_i >= _args.Count)
        {
            _problem = $"'{_args[_i - 1]}' needs a value";
            value = string.Empty;
            return false;
        }

        value = _args[_i++];
        return true;
    }

    private OptionResult PortOption(PacketField field, bool negate, bool list)
    {
        if (!NextValue(out var text))
        {
            return OptionResult.Problem;
        }

        IntervalSet? set = list
            ? FirewallValueParser.TryPortList(text)
            : FirewallValueParser.TryPortRange(text, out var lo, out var hi) ? IntervalSet.Range((UInt128)lo, (UInt128)hi) : null;
        _matches.Add(set is null ? new UnknownMatch($"port '{text}'") : new FieldMatch(field, new NumericValues(set), negate));
        return OptionResult.Done;
    }

    private static bool TryTcpFlags(string text, out uint flags)
    {
        flags = 0;
        foreach (var name in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            flags |= name.ToUpperInvariant() switch
            {
                "FIN" => 0x01u,
                "SYN" => 0x02u,
                "RST" => 0x04u,
                "PSH" => 0x08u,
                "ACK" => 0x10u,
                "URG" => 0x20u,
                "ECE" => 0x40u,
                "CWR" => 0x80u,
                "ALL" => 0xFFu,
                "NONE" => 0u,
                _ => 0x100u,
            };
        }

        return flags <= 0xFF;
    }

    private string? Target(bool jump)
    {
        if (Next(out var name) is { } problem)
        {
            return problem;
        }

        var options = new List<string>();
        while (_i < _args.Count && !GenericOptions.Contains(_args[_i]))
        {
            options.Add(_args[_i++]);
        }

        if (!jump)
        {
            Action = RuleAction.Goto(name);
            return _userChains.Contains(name) ? null : $"goto to undeclared chain '{name}'";
        }

        if (_userChains.Contains(name))
        {
            Action = RuleAction.Jump(name);
            return null;
        }

        Action = name switch
        {
            "ACCEPT" => RuleAction.Accept,
            "DROP" => RuleAction.Drop,
            "RETURN" => RuleAction.Return,
            "REJECT" => RuleAction.Reject(OptionValue(options, "--reject-with") ?? (_ipVersion == 6 ? "icmp6-port-unreachable" : "icmp-port-unreachable")),
            "DNAT" => Dnat(options),
            "REDIRECT" => Redirect(options),
            "SNAT" or "MASQUERADE" => new RuleAction(RuleActionKind.SourceNat),
            "NOTRACK" => NoTrack(),
            "CT" => options.Contains("--notrack") ? NoTrack() : RuleAction.Continue,
            "MARK" => SetMark(options),
            "CONNMARK" => options.Contains("--restore-mark") ? WithMark(MarkChange.Unknowable) : RuleAction.Continue,
            _ when ContinueTargets.Contains(name) => RuleAction.Continue,
            _ => RuleAction.Unknown($"target {name}{(options.Count > 0 ? " " + string.Join(' ', options) : string.Empty)}"),
        };
        return null;
    }

    private RuleAction NoTrack()
    {
        SetsNotrack = true;
        return RuleAction.Continue;
    }

    private RuleAction WithMark(MarkChange change)
    {
        Mark = change;
        return RuleAction.Continue;
    }

    private RuleAction SetMark(List<string> options)
    {
        for (var k = 0; k + 1 < options.Count; k++)
        {
            var value = options[k + 1];
            switch (options[k])
            {
                case "--set-xmark" when FirewallValueParser.TryMark(value, out var v, out var m):
                    return WithMark(new MarkChange(v, m));
                case "--set-mark" when FirewallValueParser.TryMark(value, out var v, out var m):
                    return WithMark(new MarkChange(v, m == uint.MaxValue ? uint.MaxValue : m | v));
                case "--and-mark" when FirewallValueParser.TryUInt(value, out var v):
                    return WithMark(new MarkChange(0, ~v));
                case "--or-mark" when FirewallValueParser.TryUInt(value, out var v):
                    return WithMark(new MarkChange(v, v));
                case "--xor-mark" when FirewallValueParser.TryUInt(value, out var v):
                    return WithMark(new MarkChange(v, 0));
            }
        }

        return WithMark(MarkChange.Unknowable);
    }

    private RuleAction Dnat(List<string> options)
    {
        var to = OptionValue(options, "--to-destination");
        if (to is null)
        {
            return RuleAction.Unknown("DNAT without --to-destination");
        }

        string host;
        string? port = null;
        if (to.StartsWith('['))
        {
            var close = to.IndexOf(']', StringComparison.Ordinal);
            host = close > 0 ? to[1..close] : to;
            if (close > 0 && close + 1 < to.Length && to[close + 1] == ':')
            {
                port = to[(close + 2)..];
            }
        }
        else if (_ipVersion == 4 && to.Contains(':', StringComparison.Ordinal))
        {
            var colon = to.IndexOf(':', StringComparison.Ordinal);
            host = to[..colon];
            port = to[(colon + 1)..];
        }
        else
        {
            host = to;
        }

        // A range (a-b) maps to its first address/port: the first connection gets the first one.
        var hostFirst = host.Split('-')[0];
        IPAddress? address = null;
        if (hostFirst.Length > 0 && !FirewallValueParser.TryAddress(hostFirst, _ipVersion, out address!))
        {
            return RuleAction.Unknown($"DNAT --to-destination {to}");
        }

        int? natPort = null;
        if (port is not null)
        {
            if (!FirewallValueParser.TryPort(port.Split('-')[0], out var p))
            {
                return RuleAction.Unknown($"DNAT --to-destination {to}");
            }

            natPort = p;
        }

        return new RuleAction(RuleActionKind.DestinationNat, Detail: $"DNAT to {to}") { NatAddress = address, NatPort = natPort };
    }

    private static RuleAction Redirect(List<string> options)
    {
        var to = OptionValue(options, "--to-ports");
        if (to is null)
        {
            return new RuleAction(RuleActionKind.Redirect, Detail: "REDIRECT");
        }

        return FirewallValueParser.TryPort(to.Split('-')[0], out var p)
            ? new RuleAction(RuleActionKind.Redirect, Detail: $"REDIRECT to port {to}") { NatPort = p }
            : RuleAction.Unknown($"REDIRECT --to-ports {to}");
    }

    private static string? OptionValue(List<string> options, string name)
    {
        var k = options.IndexOf(name);
        return k >= 0 && k + 1 < options.Count ? options[k + 1] : null;
    }
}
