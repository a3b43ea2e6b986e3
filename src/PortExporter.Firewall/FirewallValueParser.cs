using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PortExporter.Firewall.Model;

namespace PortExporter.Firewall;

/// <summary>Culture-invariant parsing of the values rules use: protocols, ports, addresses, prefixes, masks.</summary>
internal static class FirewallValueParser
{
    private static readonly Dictionary<string, byte> Protocols = new(StringComparer.OrdinalIgnoreCase)
    {
        ["icmp"] = 1,
        ["igmp"] = 2,
        ["tcp"] = 6,
        ["udp"] = 17,
        ["dccp"] = 33,
        ["ipv6"] = 41,
        ["gre"] = 47,
        ["esp"] = 50,
        ["ah"] = 51,
        ["icmpv6"] = 58,
        ["ipv6-icmp"] = 58,
        ["ospf"] = 89,
        ["sctp"] = 132,
        ["udplite"] = 136,
    };

    private static readonly Dictionary<string, byte> IcmpTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["echo-reply"] = 0,
        ["destination-unreachable"] = 3,
        ["network-unreachable"] = 3,
        ["host-unreachable"] = 3,
        ["protocol-unreachable"] = 3,
        ["port-unreachable"] = 3,
        ["fragmentation-needed"] = 3,
        ["communication-prohibited"] = 3,
        ["host-prohibited"] = 3,
        ["network-prohibited"] = 3,
        ["source-quench"] = 4,
        ["redirect"] = 5,
        ["echo-request"] = 8,
        ["router-advertisement"] = 9,
        ["router-solicitation"] = 10,
        ["time-exceeded"] = 11,
        ["ttl-zero-during-transit"] = 11,
        ["parameter-problem"] = 12,
        ["timestamp-request"] = 13,
        ["timestamp-reply"] = 14,
        ["info-request"] = 15,
        ["info-reply"] = 16,
        ["address-mask-request"] = 17,
        ["address-mask-reply"] = 18,
    };

    private static readonly Dictionary<string, byte> Icmpv6Types = new(StringComparer.OrdinalIgnoreCase)
    {
        ["destination-unreachable"] = 1,
        ["no-route"] = 1,
        ["communication-prohibited"] = 1,
        ["address-unreachable"] = 1,
        ["port-unreachable"] = 1,
        ["packet-too-big"] = 2,
        ["time-exceeded"] = 3,
        ["ttl-zero-during-transit"] = 3,
        ["parameter-problem"] = 4,
        ["echo-request"] = 128,
        ["echo-reply"] = 129,
        ["mld-listener-query"] = 130,
        ["mld-listener-report"] = 131,
        ["mld-listener-done"] = 132,
        ["mld-listener-reduction"] = 132,
        ["nd-router-solicit"] = 133,
        ["router-solicitation"] = 133,
        ["nd-router-advert"] = 134,
        ["router-advertisement"] = 134,
        ["nd-neighbor-solicit"] = 135,
        ["neighbour-solicitation"] = 135,
        ["neighbor-solicitation"] = 135,
        ["nd-neighbor-advert"] = 136,
        ["neighbour-advertisement"] = 136,
        ["neighbor-advertisement"] = 136,
        ["nd-redirect"] = 137,
        ["router-renumbering"] = 138,
        ["ind-neighbor-solicit"] = 141,
        ["ind-neighbor-advert"] = 142,
        ["mld2-listener-report"] = 143,
    };

    /// <summary>An ICMP (or ICMPv6) type: a name, a number, or <c>type/code</c> (the code is dropped: <paramref name="hasCode"/>).</summary>
    public static bool TryIcmpType(string text, bool v6, out byte type, out bool hasCode)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        hasCode = slash >= 0;
        var typeText = hasCode ? text[..slash] : text;
        if (byte.TryParse(typeText, NumberStyles.None, CultureInfo.InvariantCulture, out type))
        {
            return true;
        }

        // Names of unreachable subtypes carry a code; only the type is compared.
        hasCode |= typeText.Contains("unreachable", StringComparison.Ordinal) && typeText != "destination-unreachable"
            || typeText.Contains("prohibited", StringComparison.Ordinal) || typeText is "fragmentation-needed" or "no-route" or "ttl-zero-during-transit";
        return (v6 ? Icmpv6Types : IcmpTypes).TryGetValue(typeText, out type);
    }

    /// <summary>A protocol name or number.</summary>
    public static bool TryProtocol(string text, out byte protocol)
    {
        if (Protocols.TryGetValue(text, out protocol))
        {
            return true;
        }

        return byte.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out protocol);
    }

    public static bool TryPort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 0 and <= 65535;

    /// <summary>iptables port spec: <c>80</c>, <c>80:90</c>, <c>:90</c>, <c>80:</c> (nft ranges use <c>-</c>; both accepted).</summary>
    public static bool TryPortRange(string text, out int low, out int high)
    {
        low = high = 0;
        var sep = text.IndexOfAny([':', '-']);
        if (sep < 0)
        {
            return TryPort(text, out low) && TryPort(text, out high);
        }

        var a = text[..sep];
        var b = text[(sep + 1)..];
        low = 0;
        high = 65535;
        return (a.Length == 0 || TryPort(a, out low)) && (b.Length == 0 || TryPort(b, out high)) && low <= high;
    }

    /// <summary>A list of port specs separated by commas (multiport).</summary>
    public static IntervalSet? TryPortList(string text)
    {
        var ranges = new List<(UInt128, UInt128)>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!TryPortRange(part, out var lo, out var hi))
            {
                return null;
            }

            ranges.Add(((UInt128)lo, (UInt128)hi));
        }

        return ranges.Count == 0 ? null : IntervalSet.Of(ranges);
    }

    /// <summary>An address of the given IP version (or either when null).</summary>
    public static bool TryAddress(string text, int? ipVersion, out IPAddress address) => TryAddress(text.AsSpan(), ipVersion, out address);

    /// <summary>An address of <paramref name="ipVersion"/> (any when null), read from characters.</summary>
    public static bool TryAddress(ReadOnlySpan<char> text, int? ipVersion, out IPAddress address)
    {
        if (!IPAddress.TryParse(text, out var parsed) || (ipVersion is { } v && VersionOf(parsed) != v))
        {
            address = IPAddress.None;
            return false;
        }

        address = parsed;
        return true;
    }

    public static int VersionOf(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6 ? 6 : 4;

    /// <summary><c>10.0.0.0/8</c>, <c>10.0.0.0/255.0.0.0</c>, <c>2001:db8::/32</c> or a single address, as a range.</summary>
    public static bool TryCidr(string text, int? ipVersion, out int version, out UInt128 low, out UInt128 high)
    {
        version = 0;
        low = high = 0;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addrText = slash < 0 ? text : text[..slash];
        if (!TryAddress(addrText, ipVersion, out var address))
        {
            return false;
        }

        version = VersionOf(address);
        var bits = version == 4 ? 32 : 128;
        var value = PacketState.Encode(address);
        int length;
        if (slash < 0)
        {
            length = bits;
        }
        else
        {
            var maskText = text[(slash + 1)..];
            if (int.TryParse(maskText, NumberStyles.None, CultureInfo.InvariantCulture, out length))
            {
                if (length > bits)
                {
                    return false;
                }
            }
            else if (IPAddress.TryParse(maskText, out var mask) && VersionOf(mask) == version)
            {
                var m = PacketState.Encode(mask);
                var ones = UInt128.PopCount(m);
                var contiguous = PrefixMask(bits, (int)ones) == m;
                if (!contiguous)
                {
                    return false;
                }

                length = (int)ones;
            }
            else
            {
                return false;
            }
        }

        (low, high) = PrefixRange(value, length, bits);
        return true;
    }

    public static (UInt128 Low, UInt128 High) PrefixRange(UInt128 value, int length, int bits)
    {
        var mask = PrefixMask(bits, length);
        var low = value & mask;
        var all = bits == 128 ? UInt128.MaxValue : (UInt128.One << bits) - 1;
        return (low, low | (all & ~mask));
    }

    private static UInt128 PrefixMask(int bits, int length)
    {
        if (length == 0)
        {
            return 0;
        }

        var all = bits == 128 ? UInt128.MaxValue : (UInt128.One << bits) - 1;
        return all & ~((UInt128.One << (bits - length)) - 1);
    }

    /// <summary><c>0x1</c>, <c>1</c>, <c>0x1/0xff</c> as a value and a mask (all ones when absent).</summary>
    public static bool TryMark(string text, out uint value, out uint mask)
    {
        mask = uint.MaxValue;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            if (!TryUInt(text[(slash + 1)..], out mask))
            {
                value = 0;
                return false;
            }

            text = text[..slash];
        }

        return TryUInt(text, out value);
    }

    public static bool TryUInt(string text, out uint value) => TryUInt(text.AsSpan(), out value);

    /// <summary>A decimal or <c>0x</c> hexadecimal number, read from characters.</summary>
    public static bool TryUInt(ReadOnlySpan<char> text, out uint value) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? uint.TryParse(text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
