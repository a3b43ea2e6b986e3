namespace PortExporter.Core.Commands;

/// <summary>The Linux capabilities the exporter uses, numbered as the kernel numbers them (capabilities(7)).</summary>
public enum LinuxCapability
{
    /// <summary>List other users' <c>/proc/PID/fd</c>; read the audit log.</summary>
    DacReadSearch = 2,

    /// <summary>Read the nftables / iptables ruleset over netlink (the children nft and iptables-*-save need it).</summary>
    NetAdmin = 12,

    /// <summary>Read the links of other users' <c>/proc/PID/fd</c> (with <see cref="DacReadSearch"/>): name the process behind a socket.</summary>
    SysPtrace = 19,
}

/// <summary>Names and masks of <see cref="LinuxCapability"/>.</summary>
public static class LinuxCapabilities
{
    /// <summary>Every capability the exporter can use, in the kernel's order.</summary>
    public static IReadOnlyList<LinuxCapability> Used { get; } = [LinuxCapability.DacReadSearch, LinuxCapability.NetAdmin, LinuxCapability.SysPtrace];

    /// <summary>The name as getcap(8), capsh(1) and setcap(8) print it: <c>cap_net_admin</c>.</summary>
    public static string Name(this LinuxCapability capability) => capability switch
    {
        LinuxCapability.DacReadSearch => "cap_dac_read_search",
        LinuxCapability.NetAdmin => "cap_net_admin",
        LinuxCapability.SysPtrace => "cap_sys_ptrace",
        _ => throw new ArgumentOutOfRangeException(nameof(capability), capability, null),
    };

    /// <summary>The capability's bit in a capability mask (as in CapEff of /proc/PID/status).</summary>
    public static ulong Bit(this LinuxCapability capability) => 1UL << (int)capability;

    /// <summary>The mask of <paramref name="capabilities"/>.</summary>
    public static ulong Mask(IEnumerable<LinuxCapability> capabilities) => capabilities.Aggregate(0UL, (mask, c) => mask | c.Bit());

    /// <summary>The used capabilities in <paramref name="mask"/>.</summary>
    public static IReadOnlyList<LinuxCapability> In(ulong mask) => [.. Used.Where(c => (mask & c.Bit()) != 0)];
}
