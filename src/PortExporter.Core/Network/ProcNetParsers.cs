using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using PortExporter.Core.Sockets;

namespace PortExporter.Core.Network;

/// <summary>An IPv4 route from <c>/proc/net/route</c>.</summary>
public sealed record Ipv4Route(string Interface, uint Destination, uint Gateway, int Flags, long Metric, uint Mask)
{
    public const int FlagUp = 0x1;

    public bool IsDefault => Destination == 0 && Mask == 0 && (Flags & FlagUp) != 0;

    public bool Contains(IPAddress address)
    {
        var value = ToKernelOrder(address);
        return (value & Mask) == (Destination & Mask);
    }

    /// <summary>The address as /proc/net/route prints it (network byte order read as a little-endian number).</summary>
    public static uint ToKernelOrder(IPAddress address)
    {
        Span<byte> b = stackalloc byte[4];
        address.TryWriteBytes(b, out _);
        return BinaryPrimitives.ReadUInt32LittleEndian(b);
    }
}

/// <summary>An IPv6 route from <c>/proc/net/ipv6_route</c>.</summary>
public sealed record Ipv6Route(IPAddress Destination, int PrefixLength, long Metric, int Flags, string Interface)
{
    public const int FlagUp = 0x1;
    public const int FlagReject = 0x200;

    public bool IsDefault => PrefixLength == 0 && Destination.Equals(IPAddress.IPv6Any) && (Flags & FlagUp) != 0 && (Flags & FlagReject) == 0;
}

/// <summary>Pure parsers of the procfs files that describe interfaces, addresses and routes.</summary>
public static class ProcNetParsers
{
    /// <summary><c>/proc/net/route</c>: a header, then Iface Destination Gateway Flags RefCnt Use Metric Mask ... in hex.</summary>
    public static IReadOnlyList<Ipv4Route> ParseRoutes(string text, string source = "/proc/net/route")
    {
        var routes = new List<Ipv4Route>();
        foreach (var (n, line, f) in Rows(text, header: 1))
        {
            if (f.Length < 8
                || !uint.TryParse(f[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var dest)
                || !uint.TryParse(f[2], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var gw)
                || !int.TryParse(f[3], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var flags)
                || !long.TryParse(f[6], NumberStyles.None, CultureInfo.InvariantCulture, out var metric)
                || !uint.TryParse(f[7], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var mask))
            {
                throw new ProcfsFormatException(source, n, "line", line, "a route line");
            }

            routes.Add(new Ipv4Route(f[0], dest, gw, flags, metric, mask));
        }

        return routes;
    }

    /// <summary><c>/proc/net/ipv6_route</c>: dest plen src plen nexthop metric refcnt use flags iface.</summary>
    public static IReadOnlyList<Ipv6Route> ParseIpv6Routes(string text, string source = "/proc/net/ipv6_route")
    {
        var routes = new List<Ipv6Route>();
        foreach (var (n, line, f) in Rows(text))
        {
            if (f.Length < 10
                || ParseHexAddress(f[0]) is not { } dest
                || !int.TryParse(f[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var plen)
                || !long.TryParse(f[5], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var metric)
                || !int.TryParse(f[8], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var flags))
            {
                throw new ProcfsFormatException(source, n, "line", line, "a route line");
            }

            routes.Add(new Ipv6Route(dest, plen, metric, flags, f[9]));
        }

        return routes;
    }

    /// <summary>
    /// <c>/proc/net/if_inet6</c>: address ifindex prefixlen scope flags name (all but the name in hex). The prefix
    /// length is the address's subnet: the internal networks of an interface need it.
    /// </summary>
    public static IReadOnlyList<(string Interface, IPAddress Address, int PrefixLength)> ParseIfInet6(string text, string source = "/proc/net/if_inet6")
    {
        var result = new List<(string, IPAddress, int)>();
        foreach (var (n, line, f) in Rows(text))
        {
            if (f.Length < 6 || ParseHexAddress(f[0]) is not { } address)
            {
                throw new ProcfsFormatException(source, n, "line", line, "an address line");
            }

            if (!int.TryParse(f[2], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var prefix) || prefix > 128)
            {
                throw new ProcfsFormatException(source, n, "prefixlen", f[2], "a prefix length of 0-128 in hex");
            }

            result.Add((f[5], address, prefix));
        }

        return result;
    }

    /// <summary>The local IPv4 addresses in <c>/proc/net/fib_trie</c> (leaves marked <c>/32 host LOCAL</c>).</summary>
    public static IReadOnlyList<IPAddress> ParseFibTrieLocalAddresses(string text, string source = "/proc/net/fib_trie")
    {
        var result = new List<IPAddress>();
        string? leaf = null;
        var n = 0;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            n++;
            var line = raw.Trim();
            if (line.StartsWith("|--"))
            {
                leaf = line[3..].Trim().ToString();
            }
            else if (line.StartsWith("/32 host LOCAL") && leaf is not null)
            {
                if (!IPAddress.TryParse(leaf, out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
                {
                    throw new ProcfsFormatException(source, n, "leaf", leaf, "an IPv4 address");
                }

                if (!result.Contains(address))
                {
                    result.Add(address);
                }
            }
        }

        return result;
    }

    /// <summary>
    /// The lines of a procfs table after its <paramref name="header"/> lines, blank ones left out: each with its
    /// 1-based number (for errors) and its fields split on spaces and tabs.
    /// </summary>
    private static IEnumerable<(int Number, string Line, string[] Fields)> Rows(string text, int header = 0)
    {
        var n = 0;
        foreach (var raw in text.Split('\n'))
        {
            n++;
            var line = raw.TrimEnd('\r');
            if (n <= header || line.Trim().Length == 0)
            {
                continue;
            }

            yield return (n, line, line.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        }
    }

    private static IPAddress? ParseHexAddress(string hex)
    {
        if (hex.Length != 32)
        {
            return null;
        }

        var bytes = new byte[16];
        for (var i = 0; i < 16; i++)
        {
            if (!byte.TryParse(hex.AsSpan(i * 2, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bytes[i]))
            {
                return null;
            }
        }

        return new IPAddress(bytes);
    }
}
