using System.Text.RegularExpressions;

namespace PortExporter.Core.Commands;

/// <summary>
/// The only external commands the exporter ever runs: a fixed allowlist of read-only argument vectors.
/// There is no constructor for arbitrary commands, so nothing can ask the runner to change state.
/// </summary>
public sealed partial record AllowedCommand
{
    /// <summary>Output cap of the commands whose answer is a few lines (a state, a property).</summary>
    private const int SmallOutputBytes = 64 * 1024;

    /// <summary>Output cap of the commands that list a table (ports, zones) but never a whole ruleset.</summary>
    private const int TableOutputBytes = 4 * 1024 * 1024;

    private const string Systemctl = "systemctl";

    /// <summary>
    /// What each program needs (declared before the commands that use it): reading a ruleset takes CAP_NET_ADMIN;
    /// the legacy iptables tools also list the tables in /proc/net/ip*_tables_names, which only root may read
    /// (CAP_DAC_READ_SEARCH). The others need nothing.
    /// </summary>
    private static readonly Dictionary<string, LinuxCapability[]> Needs = new(StringComparer.Ordinal)
    {
        ["nft"] = [LinuxCapability.NetAdmin],
        ["iptables-nft-save"] = [LinuxCapability.NetAdmin],
        ["ip6tables-nft-save"] = [LinuxCapability.NetAdmin],
        ["iptables-legacy-save"] = [LinuxCapability.NetAdmin, LinuxCapability.DacReadSearch],
        ["ip6tables-legacy-save"] = [LinuxCapability.NetAdmin, LinuxCapability.DacReadSearch],
        ["ipset"] = [LinuxCapability.NetAdmin],
    };

    private AllowedCommand(string program, params string[] arguments)
        : this(int.MaxValue, program, arguments)
    {
    }

    private AllowedCommand(int maxOutputBytes, string program, params string[] arguments)
    {
        MaxOutputBytes = maxOutputBytes;
        Program = program;
        Arguments = arguments;
        ChildCapabilities = Needs.GetValueOrDefault(program) ?? [];
    }

    public string Program { get; }

    public IReadOnlyList<string> Arguments { get; }

    /// <summary>
    /// The capabilities the child gets (as its ambient set, from the exporter's permitted set; none when the exporter
    /// lacks them): CAP_NET_ADMIN for the tools that read the ruleset and ipset (with CAP_DAC_READ_SEARCH for the legacy iptables
    /// ones), nothing for the others (firewall-cmd and systemctl ask a daemon over D-Bus; semanage reads the policy store).
    /// </summary>
    public IReadOnlyList<LinuxCapability> ChildCapabilities { get; }

    /// <summary>
    /// The most standard output this command can sensibly print; the runner cuts it at this or its own cap,
    /// whichever is lower, so a tool gone wrong cannot make the exporter hold more than that.
    /// </summary>
    public int MaxOutputBytes { get; }

    /// <summary><c>nft -j list ruleset</c>: the whole nftables ruleset as JSON.</summary>
    public static AllowedCommand NftListRulesetJson { get; } = new("nft", "-j", "list", "ruleset");

    /// <summary><c>nft list chains</c>: the chains without rules, for the ingress devices the JSON leaves out.</summary>
    public static AllowedCommand NftListChains { get; } = new(TableOutputBytes, "nft", "list", "chains");

    /// <summary><c>iptables-legacy-save -c</c>.</summary>
    public static AllowedCommand IptablesLegacySave { get; } = new("iptables-legacy-save", "-c");

    /// <summary><c>ip6tables-legacy-save -c</c>.</summary>
    public static AllowedCommand Ip6tablesLegacySave { get; } = new("ip6tables-legacy-save", "-c");

    /// <summary><c>iptables-nft-save -c</c>.</summary>
    public static AllowedCommand IptablesNftSave { get; } = new("iptables-nft-save", "-c");

    /// <summary><c>ip6tables-nft-save -c</c>.</summary>
    public static AllowedCommand Ip6tablesNftSave { get; } = new("ip6tables-nft-save", "-c");

    /// <summary><c>ipset save</c>: every ipset and its entries, which <c>-m set --match-set</c> rules look up.</summary>
    public static AllowedCommand IpsetSave { get; } = new("ipset", "save");

    /// <summary><c>firewall-cmd --state</c>.</summary>
    public static AllowedCommand FirewalldState { get; } = new(SmallOutputBytes, "firewall-cmd", "--state");

    /// <summary><c>firewall-cmd --list-all-zones</c>.</summary>
    public static AllowedCommand FirewalldListAllZones { get; } = new(TableOutputBytes, "firewall-cmd", "--list-all-zones");

    /// <summary><c>semanage port -l -n</c>: SELinux port labels.</summary>
    public static AllowedCommand SemanagePortList { get; } = new(TableOutputBytes, "semanage", "port", "-l", "-n");

    /// <summary><c>systemctl show -p ActiveState,SubState --value UNIT</c> for a validated unit name.</summary>
    public static AllowedCommand SystemctlShow(string unit)
    {
        if (!UnitName().IsMatch(unit) || unit.StartsWith('-'))
        {
            throw new ArgumentException($"not a systemd unit name: '{unit}'", nameof(unit));
        }

        return new AllowedCommand(SmallOutputBytes, Systemctl, "show", "--property=ActiveState,SubState", "--", unit);
    }

    /// <summary>
    /// Every program the exporter may run, and nothing else: the runner resolves these (and only these) to absolute
    /// paths once, at start.
    /// </summary>
    public static IReadOnlyList<string> Programs { get; } =
        [.. new[] { NftListRulesetJson, NftListChains, IptablesNftSave, Ip6tablesNftSave, IptablesLegacySave, Ip6tablesLegacySave, IpsetSave, FirewalldState, FirewalldListAllZones, SemanagePortList }
            .Select(c => c.Program).Append(Systemctl).Distinct()];

    public override string ToString() => string.Join(' ', [Program, .. Arguments]);

    [GeneratedRegex(@"^[A-Za-z0-9:_.\\@-]{1,256}$")]
    private static partial Regex UnitName();
}
