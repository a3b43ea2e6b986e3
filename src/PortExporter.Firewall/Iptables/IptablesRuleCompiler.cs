using System.Net;
using PortExporter.Firewall.Ipset;
using PortExporter.Firewall.Iptables.Modules;
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
    private readonly ModuleContext _context;
    private byte? _protocol;

    private IptablesRuleCompiler(List<string> args, int ipVersion, IReadOnlySet<string> userChains, IpsetCatalog? sets)
    {
        _args = args;
        _ipVersion = ipVersion;
        _context = new ModuleContext(args, ipVersion, sets);
        _userChains = userChains;
    }

    public RuleAction Action { get; private set; } = RuleAction.Continue;

    public string? Comment { get; private set; }

    public bool SetsNotrack { get; private set; }

    public MarkChange? Mark { get; private set; }

    public (long Packets, long Bytes)? Counters { get; private set; }

    public IReadOnlyList<RuleMatch> Matches => _context.Matches;

    /// <summary>Compiles; a problem comes back as the message of a parse error.</summary>
    /// <param name="args">The arguments after <c>-A CHAIN</c>.</param>
    /// <param name="ipVersion">4 or 6.</param>
    /// <param name="userChains">The user chains of the rule's table.</param>
    /// <param name="interner">Shares equal matches, actions and comments with the other rules of the same parse.</param>
    /// <param name="sets">The ipset contents <c>-m set</c> looks up, or null when not read.</param>
    /// <param name="problem">Why the rule is broken, or null.</param>
    public static IptablesRuleCompiler Compile(List<string> args, int ipVersion, IReadOnlySet<string> userChains, RuleInterner interner, IpsetCatalog? sets, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(interner);
        var compiler = new IptablesRuleCompiler(args, ipVersion, userChains, sets);
        problem = compiler.Run();
        interner.Matches(compiler._context.Matches);
        compiler.Action = interner.Action(compiler.Action);
        compiler.Mark = interner.Mark(compiler.Mark);
        compiler.Comment = interner.Text(compiler._context.Comment);
        return compiler;
    }

    private string? Run()
    {
        var negate = false;
        while (!_context.AtEnd)
        {
            var token = _args[_context.Position++];
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
                    _context.Matches.Add(new ConstantMatch(MatchResult.No.Negate(negate)));
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
                        _context.Position--;
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

    private string? Protocol(bool negate)
    {
        if (_context.Value(out var text) is { } problem)
        {
            return problem;
        }

        if (text is "all" or "0")
        {
            if (negate)
            {
                _context.Matches.Add(new ConstantMatch(MatchResult.No));
            }

            return null;
        }

        if (!FirewallValueParser.TryProtocol(text, out var number))
        {
            _context.Matches.Add(new UnknownMatch($"protocol '{text}'"));
            return null;
        }

        if (!negate)
        {
            _protocol = number;
        }

        _context.Matches.Add(new FieldMatch(PacketField.L4Protocol, new NumericValues(IntervalSet.One(number)), negate));
        return null;
    }

    private string? Address(PacketField field, bool negate)
    {
        if (_context.Value(out var text) is { } problem)
        {
            return problem;
        }

        var ranges = new List<(UInt128, UInt128)>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!FirewallValueParser.TryCidr(part, _ipVersion, out _, out var lo, out var hi))
            {
                _context.Matches.Add(new UnknownMatch($"address '{text}'"));
                return null;
            }

            ranges.Add((lo, hi));
        }

        _context.Matches.Add(new FieldMatch(field, new NumericValues(IntervalSet.Of(ranges), _ipVersion), negate));
        return null;
    }

    private string? Interface(PacketField field, bool negate)
    {
        if (_context.Value(out var text) is { } problem)
        {
            return problem;
        }

        _context.Matches.Add(new FieldMatch(field, new InterfaceValues([text]), negate));
        return null;
    }

    private string? SetCounters()
    {
        if (_context.Value(out var p) is { } problem || _context.Value(out var b) is { } problem2)
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
        if (_context.Value(out var name) is { } problem)
        {
            return problem;
        }

        return ModuleOptions(name, false);
    }

    /// <summary>Reads the options of module <paramref name="name"/> up to the next generic option, through its handler in <see cref="IptablesMatchModules"/>.</summary>
    private string? ModuleOptions(string name, bool negateFirst)
    {
        var module = IptablesMatchModules.ByName.GetValueOrDefault(name);
        var negate = negateFirst;
        var unknownStart = _context.Position;
        var unknown = false;
        var produced = false;
        while (!_context.AtEnd)
        {
            var token = _args[_context.Position];
            if (GenericOptions.Contains(token) || (token == "!" && _context.Position + 1 < _args.Count && GenericOptions.Contains(_args[_context.Position + 1])))
            {
                break;
            }

            _context.Position++;
            if (token == "!")
            {
                negate = true;
                continue;
            }

            var result = module is null ? ModuleOptionResult.NotUnderstood : module.Read(_context, name, token, negate);
            switch (result.Outcome)
            {
                case ModuleOptionOutcome.Broken:
                    return result.Problem;
                case ModuleOptionOutcome.NotUnderstood:
                    // Unknown option of a known module, or any option of an unknown module: consume its values.
                    while (!_context.AtEnd && !_args[_context.Position].StartsWith("--", StringComparison.Ordinal) && _args[_context.Position] != "!" && !GenericOptions.Contains(_args[_context.Position]))
                    {
                        _context.Position++;
                    }

                    unknown = true;
                    break;
                default:
                    produced = true;
                    break;
            }

            negate = false;
        }

        if (unknown || (!produced && module is not { KnownWithoutOptions: true }))
        {
            var text = string.Join(' ', _args.Skip(unknownStart).Take(_context.Position - unknownStart));
            _context.Matches.Add(new UnknownMatch(text.Length == 0 ? $"-m {name}" : $"-m {name} {text}"));
        }

        return null;
    }

    private string? Target(bool jump)
    {
        if (_context.Value(out var name) is { } problem)
        {
            return problem;
        }

        var options = new List<string>();
        while (!_context.AtEnd && !GenericOptions.Contains(_args[_context.Position]))
        {
            options.Add(_args[_context.Position++]);
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
