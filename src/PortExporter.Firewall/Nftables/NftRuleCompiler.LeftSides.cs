using System.Collections.Frozen;
using System.Text.Json;
using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Nftables;

// The left-hand side of a match: the packet field an expression names (`payload`, `meta`, `ct`), with the matches its protocol implies.
internal sealed partial class NftRuleCompiler
{
    /// <summary>The field a left-hand side names (null when unknown, with why); the matches its protocol implies are already on the rule.</summary>
    private readonly record struct LeftSide(PacketField? Field, int? Version, string? Unknown);

    /// <summary>Reads the left-hand side of a match: the packet field one expression family names; the matches its protocol implies go to <paramref name="dependencies"/>.</summary>
    private delegate LeftSide LeftHandler(NftRuleCompiler rule, JsonElement value, List<RuleMatch> dependencies);

    /// <summary><c>meta KEY</c>: the keys the evaluator knows.</summary>
    private static readonly FrozenDictionary<string, PacketField> MetaFields = new Dictionary<string, PacketField>(StringComparer.Ordinal)
    {
        ["l4proto"] = PacketField.L4Protocol,
        ["nfproto"] = PacketField.IpVersion,
        ["protocol"] = PacketField.IpVersion,
        ["iifname"] = PacketField.InInterface,
        ["iif"] = PacketField.InInterface,
        ["oifname"] = PacketField.OutInterface,
        ["oif"] = PacketField.OutInterface,
        ["mark"] = PacketField.Mark,
        ["pkttype"] = PacketField.PacketType,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary><c>ct KEY</c>: the keys the evaluator knows.</summary>
    private static readonly FrozenDictionary<string, PacketField> ConntrackFields = new Dictionary<string, PacketField>(StringComparer.Ordinal)
    {
        ["state"] = PacketField.ConntrackState,
        ["status"] = PacketField.ConntrackStatus,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The expression families a match can compare, in the order they are looked for.</summary>
    private static readonly (string Key, LeftHandler Read)[] LeftExpressions =
    [
        ("payload", static (r, v, deps) => r.Payload(v, deps)),
        ("meta", static (_, v, deps) => Keyed("meta", MetaFields, v, deps)),
        ("ct", static (_, v, deps) => Keyed("ct", ConntrackFields, v, deps)),
        ("numgen", static (r, v, deps) => r.Numgen(v, deps)),
    ];

    /// <summary>What one protocol header's field is, with the matches its protocol implies.</summary>
    private delegate LeftSide PayloadHandler(NftRuleCompiler rule, string protocol, string? field, List<RuleMatch> dependencies);

    /// <summary><c>payload</c> by protocol header: one handler per family; another protocol's field is unknown.</summary>
    private static readonly FrozenDictionary<string, PayloadHandler> PayloadFamilies = new Dictionary<string, PayloadHandler>(StringComparer.Ordinal)
    {
        ["ip"] = static (r, proto, field, deps) => r.IpPayload(proto, field, deps),
        ["ip6"] = static (r, proto, field, deps) => r.IpPayload(proto, field, deps),
        ["tcp"] = TransportPayload,
        ["udp"] = TransportPayload,
        ["udplite"] = TransportPayload,
        ["sctp"] = TransportPayload,
        ["dccp"] = TransportPayload,
        ["th"] = static (_, _, field, deps) => field switch
        {
            "sport" => new(PacketField.SourcePort, null, null),
            "dport" => new(PacketField.DestinationPort, null, null),
            _ => new(null, null, $"th {field}"),
        },
        ["icmp"] = IcmpPayload,
        ["icmpv6"] = IcmpPayload,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The field <paramref name="left"/> names; the matches its protocol implies are added to the rule's matches, before the comparison.</summary>
    private LeftSide Left(JsonElement left)
    {
        var deps = _matches;
        if (left.ValueKind != JsonValueKind.Object)
        {
            return new(null, null, "not an expression");
        }

        foreach (var (key, read) in LeftExpressions)
        {
            if (left.TryGetProperty(key, out var value))
            {
                return read(this, value, deps);
            }
        }

        foreach (var p in left.EnumerateObject())
        {
            return new(null, null, p.Name);
        }

        return new(null, null, "empty expression");
    }

    private static LeftSide Keyed(string family, FrozenDictionary<string, PacketField> fields, JsonElement value, List<RuleMatch> deps)
    {
        var key = Str(value, "key");
        return key is not null && fields.TryGetValue(key, out var field) ? new(field, null, null) : new(null, null, $"{family} {key}");
    }

    private LeftSide Payload(JsonElement payload, List<RuleMatch> deps)
    {
        var proto = Str(payload, "protocol");
        var field = Str(payload, "field");
        if (proto is null)
        {
            return new(null, null, "raw payload");
        }

        if (PayloadFamilies.TryGetValue(proto, out var read))
        {
            return read(this, proto, field, deps);
        }

        // ah spi, gre ...: only packets of that protocol have the field.
        if (FirewallValueParser.TryProtocol(proto, out var other))
        {
            deps.Add(FieldMatch.ProtocolIs(other));
        }

        return new(null, null, $"{proto} {field}");
    }

    private LeftSide IpPayload(string proto, string? field, List<RuleMatch> deps)
    {
        var version = proto == "ip" ? 4 : 6;
        if (_family is not (TableFamily.Ip or TableFamily.Ip6))
        {
            deps.Add(FieldMatch.IpVersionIs(version));
        }
        else if (_family.Sees(version) is false)
        {
            deps.Add(new ConstantMatch(MatchResult.No));
        }

        return field switch
        {
            "saddr" => new(PacketField.SourceAddress, version, null),
            "daddr" => new(PacketField.DestinationAddress, version, null),
            "protocol" or "nexthdr" => new(PacketField.L4Protocol, null, null),
            "ttl" or "hoplimit" => new(PacketField.HopLimit, null, null),
            _ => new(null, null, $"{proto} {field}"),
        };
    }

    private static LeftSide TransportPayload(NftRuleCompiler rule, string proto, string? field, List<RuleMatch> deps)
    {
        FirewallValueParser.TryProtocol(proto, out var number);
        deps.Add(FieldMatch.ProtocolIs(number));
        return field switch
        {
            "sport" => new(PacketField.SourcePort, null, null),
            "dport" => new(PacketField.DestinationPort, null, null),
            "flags" when proto == "tcp" => new(PacketField.TcpFlags, null, null),
            _ => new(null, null, $"{proto} {field}"),
        };
    }

    private static LeftSide IcmpPayload(NftRuleCompiler rule, string proto, string? field, List<RuleMatch> deps)
    {
        deps.Add(FieldMatch.ProtocolIs(proto == "icmp" ? PacketState.Icmp : PacketState.Icmpv6));
        return field == "type" ? new(PacketField.IcmpType, proto == "icmp" ? 4 : 6, null) : new(null, null, $"{proto} {field}");
    }
}
