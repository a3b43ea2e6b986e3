using System.Globalization;
using System.Net;
using PortExporter.Firewall.Evaluation;
using PortExporter.Firewall.Model;

namespace PortExporter.Core.Network;

/// <summary>
/// The kernel's IPv4 reverse path filter, as the routing decision applies it to a packet that came in on an
/// interface other than lo, after prerouting and before the input or forward rules: the higher of
/// <c>net.ipv4.conf.all.rp_filter</c> and <c>net.ipv4.conf.IF.rp_filter</c> decides. Strict (1): the packet is dropped
/// unless the host's route back to its source leaves by the interface it came in on; loose (2): unless there is a route
/// back at all. The drop is silent (no answer, the client times out). The routes known here are the main table's, so
/// where the host has other routing tables (policy routing, which the kernel's check follows) the filter is not judged.
/// Immutable.
/// </summary>
/// <param name="All">net.ipv4.conf.all.rp_filter.</param>
/// <param name="ByInterface">net.ipv4.conf.IF.rp_filter per interface, by name, sorted.</param>
/// <param name="OtherTables">The host has routing tables beside main and local (<c>/proc/net/fib_triestat</c>).</param>
public sealed record ReversePathFilter(int All, IReadOnlyList<KeyValuePair<string, int>> ByInterface, bool OtherTables)
{
    /// <summary>The mode on <paramref name="ingress"/> and the sysctl that sets it (the stricter of all and the interface's).</summary>
    public (int Mode, string Sysctl) On(string ingress)
    {
        foreach (var (name, mode) in ByInterface)
        {
            if (string.Equals(name, ingress, StringComparison.Ordinal) && mode > All)
            {
                return (mode, $"net.ipv4.conf.{ingress}.rp_filter");
            }
        }

        return (All, "net.ipv4.conf.all.rp_filter");
    }

    /// <summary>True when both hold the same values.</summary>
    public bool SameAs(ReversePathFilter? other) =>
        other is not null && All == other.All && OtherTables == other.OtherTables && ByInterface.SequenceEqual(other.ByInterface);

    /// <summary>
    /// Reads the sysctls under <paramref name="sysNet"/> (<c>&lt;procfs&gt;/sys/net</c>) for <paramref name="interfaces"/>
    /// and whether <paramref name="fibTriestat"/> lists other routing tables; null when <c>conf/all/rp_filter</c> does not exist.
    /// </summary>
    public static ReversePathFilter? Read(string sysNet, string fibTriestat, IEnumerable<string> interfaces)
    {
        ArgumentNullException.ThrowIfNull(interfaces);
        if (SysctlFiles.Read(Path.Combine(sysNet, "ipv4", "conf", "all", "rp_filter")) is not { } all)
        {
            return null;
        }

        var byInterface = SysctlFiles.PerInterface(sysNet, interfaces, "rp_filter");
        string? tables;
        try
        {
            tables = File.ReadAllText(fibTriestat);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            tables = null;
        }

        // Unknown tables count as other tables: the filter is then not judged rather than judged on half the routes.
        return new ReversePathFilter(all, byInterface, tables is null || HasOtherTables(tables));
    }

    /// <summary>True when <c>/proc/net/fib_triestat</c> lists a table beside <c>Main</c> and <c>Local</c> (<c>Id 100:</c>). Pure.</summary>
    public static bool HasOtherTables(string fibTriestat)
    {
        ArgumentNullException.ThrowIfNull(fibTriestat);
        foreach (var line in fibTriestat.AsSpan().EnumerateLines())
        {
            if (line.StartsWith("Id ", StringComparison.Ordinal) && line.EndsWith(":", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The verdict for <paramref name="connection"/> when the rules let it in but the reverse path filter drops it:
    /// strict mode and the route back to its source leaving by another interface, or loose mode and no route back.
    /// Any other decision, an IPv6 or loopback connection, or a host with other routing tables is returned as it is.
    /// Pure.
    /// </summary>
    /// <param name="egress">The interface the host's route to an address leaves by, null for none (<see cref="HostNetwork.EgressInterface"/>).</param>
    public static FirewallDecision Gate(FirewallDecision decision, SimulatedConnection? connection, ReversePathFilter? filter, Func<IPAddress, string?> egress)
    {
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(egress);
        if (filter is null || filter.OtherTables || connection is null || decision.Verdict != FirewallVerdict.Accept
            || connection.IpVersion != 4 || connection.Interface == HostNetwork.LoopbackInterface)
        {
            return decision;
        }

        var (mode, sysctl) = filter.On(connection.Interface);
        var back = egress(connection.Source);
        if (mode is not (1 or 2) || ReversePathMatch.Finds(incomingOnly: mode == 1, connection.Interface, back))
        {
            return decision;
        }

        var why = back is null
            ? $"the host has no route back to {connection.Source}, and the reverse path filter drops what it cannot answer ({sysctl} = {mode.ToString(CultureInfo.InvariantCulture)})"
            : $"the host's route back to {connection.Source} leaves by {back}, not by {connection.Interface} where the connection comes in, and the reverse path filter is strict there ({sysctl} = 1)";

        return new FirewallDecision(FirewallVerdict.Drop, ForwardingSysctls.VerdictBackend, string.Empty, string.Empty, string.Create(CultureInfo.InvariantCulture, $"{sysctl} = {mode}"))
        {
            Detail = $"the rules accept it, but {why}: the kernel drops it before the input rules, without an answer",
            Path = $"{decision.Path ?? "prerouting"} -> reverse path check failed ({sysctl} = {mode.ToString(CultureInfo.InvariantCulture)})",
            ForwardedTo = decision.ForwardedTo,
            ForwardedToChoices = decision.ForwardedToChoices,
        };
    }
}
