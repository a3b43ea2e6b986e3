using System.Globalization;

namespace PortExporter.Core.Network;

/// <summary>
/// What the kernel tells about one interface's link in <c>/sys/class/net/IF/</c>: enough to tell a real network
/// from container plumbing. Immutable; read by <see cref="LinkFactsReader"/>, judged by <see cref="ContainerPlumbing"/>.
/// </summary>
/// <param name="Name">The interface name.</param>
/// <param name="IsBridge">A Linux bridge (<c>bridge/</c> exists).</param>
/// <param name="BridgePorts">Its ports (<c>brif/</c>), at most <see cref="LinkFactsReader.MaxBridgePorts"/>; empty for a bridge without ports or a non-bridge.</param>
/// <param name="Master">The bridge (or bond) it is a port of (<c>master</c>), or null.</param>
/// <param name="IsTunTap">A tun or tap device (<c>tun_flags</c> exists).</param>
/// <param name="HasDevice">Backed by a device (<c>device</c> link: a NIC, a virtio or Xen interface).</param>
/// <param name="Paired">Its <c>iflink</c> differs from its <c>ifindex</c>: stacked on or paired with another link (veth, vlan, macvlan).</param>
/// <param name="DevType">The <c>DEVTYPE</c> of its <c>uevent</c> (bridge, vlan, bond, wlan, wireguard, …), or null; veth has none.</param>
public sealed record LinkFacts(string Name, bool IsBridge, IReadOnlyList<string> BridgePorts, string? Master, bool IsTunTap, bool HasDevice, bool Paired, string? DevType)
{
    /// <summary>A veth end: no device, paired with its peer, no device type.</summary>
    public bool IsVeth => !HasDevice && Paired && DevType is null && !IsTunTap && !IsBridge;
}

/// <summary>
/// Which interfaces are container plumbing rather than a network clients live on: never an "inside" network. Pure.
/// <list type="bullet">
/// <item>a tun or tap device (VPN or VM plumbing);</item>
/// <item>a bridge none of whose ports is a real link (every port a veth or tap, or no port at all): docker0,
/// br-*, cni0, podman0, cbr0, virbr0 as their runtimes build them; a bridge with a NIC, bond or vlan port is a LAN;</item>
/// <item>a veth that is a bridge port (a container's host end);</item>
/// <item>when sysfs says nothing about the interface (not mounted, or an interface gone between the reads), its name:
/// docker*, br-*, cni*, podman*, cbr*, virbr*, lxcbr*, veth*, tun*, tap*.</item>
/// </list>
/// A veth that is no bridge port is a link like any other: the wire of a network namespace (a lab, a host in a
/// container), whose peer is another host's interface.
/// </summary>
public static class ContainerPlumbing
{
    private static readonly string[] NamePrefixes = ["docker", "br-", "cni", "podman", "cbr", "virbr", "lxcbr", "veth", "tun", "tap"];

    /// <summary>
    /// The port of bridge <paramref name="name"/> its network's frames come in on: the first that is a real link (not a
    /// veth or tap), else its first port (a bridge over a veth, the wire of a namespace); null for no bridge, a bridge
    /// without ports, or no sysfs.
    /// </summary>
    public static string? UplinkPort(string name, IReadOnlyDictionary<string, LinkFacts> links)
    {
        ArgumentNullException.ThrowIfNull(links);
        return links.TryGetValue(name, out var link) && link.IsBridge
            ? link.BridgePorts.FirstOrDefault(p => !links.TryGetValue(p, out var port) || !(port.IsVeth || port.IsTunTap)) ?? (link.BridgePorts.Count > 0 ? link.BridgePorts[0] : null)
            : null;
    }

    /// <summary>Why <paramref name="name"/> is container plumbing, or null when it is a network clients live on.</summary>
    public static string? Why(string name, IReadOnlyDictionary<string, LinkFacts> links)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(links);
        if (!links.TryGetValue(name, out var link))
        {
            return NamePrefixes.FirstOrDefault(p => name.StartsWith(p, StringComparison.Ordinal)) is { } prefix
                ? $"named {prefix}* (no sysfs entry to tell from)"
                : null;
        }

        if (link.IsTunTap)
        {
            return "a tun/tap device";
        }

        if (link.IsBridge)
        {
            var real = link.BridgePorts.Where(p => !links.TryGetValue(p, out var port) || !(port.IsVeth || port.IsTunTap)).ToList();
            return real.Count > 0 ? null
                : link.BridgePorts.Count == 0 ? "a bridge without ports"
                : $"a bridge whose ports are all veth/tap ({string.Join(',', link.BridgePorts.Take(3))}{(link.BridgePorts.Count > 3 ? ",…" : string.Empty)})";
        }

        return link.IsVeth && link.Master is { } master ? $"a veth port of bridge {master}" : null;
    }
}

/// <summary>Reads <see cref="LinkFacts"/> from <c>&lt;sysfs&gt;/class/net/IF/</c>. A missing entry is no data.</summary>
public static class LinkFactsReader
{
    /// <summary>Ports of one bridge read at most: a bridge of hundreds of containers is judged by its first ones.</summary>
    public const int MaxBridgePorts = 64;

    /// <summary>The facts of <paramref name="names"/> and of the ports of those that are bridges.</summary>
    public static IReadOnlyDictionary<string, LinkFacts> Read(HostPaths paths, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(names);
        var facts = new Dictionary<string, LinkFacts>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (ReadOne(paths, name) is not { } link)
            {
                continue;
            }

            facts[name] = link;
            foreach (var port in link.BridgePorts)
            {
                if (!facts.ContainsKey(port) && ReadOne(paths, port) is { } portLink)
                {
                    facts[port] = portLink;
                }
            }
        }

        return facts;
    }

    private static LinkFacts? ReadOne(HostPaths paths, string name)
    {
        // A name from procfs never holds a path separator; refuse one rather than leave the directory.
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name is "." or "..")
        {
            return null;
        }

        var dir = paths.Sys("class", "net", name);
        try
        {
            if (!Directory.Exists(dir))
            {
                return null;
            }

            var isBridge = Directory.Exists(Path.Combine(dir, "bridge"));
            var ports = isBridge && Directory.Exists(Path.Combine(dir, "brif"))
                ? Directory.EnumerateFileSystemEntries(Path.Combine(dir, "brif")).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).Take(MaxBridgePorts).ToList()
                : [];
            var master = new FileInfo(Path.Combine(dir, "master")).LinkTarget is { } target ? Path.GetFileName(target) : null;
            var index = Number(Path.Combine(dir, "ifindex"));
            var link = Number(Path.Combine(dir, "iflink"));
            var devType = File.Exists(Path.Combine(dir, "uevent"))
                ? File.ReadLines(Path.Combine(dir, "uevent")).Select(l => l.Split('=', 2)).Where(kv => kv.Length == 2 && kv[0] == "DEVTYPE").Select(kv => kv[1].Trim()).FirstOrDefault()
                : null;
            return new LinkFacts(
                name,
                isBridge,
                ports,
                master,
                File.Exists(Path.Combine(dir, "tun_flags")),
                Path.Exists(Path.Combine(dir, "device")),
                index is not null && link is not null && index != link,
                devType);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long? Number(string path) =>
        File.Exists(path) && long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
}
