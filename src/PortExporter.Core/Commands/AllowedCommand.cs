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

    private AllowedCommand(string program, params string[] arguments)
        : this(int.MaxValue, program, arguments)
    {
    }

    private AllowedCommand(int maxOutputBytes, string program, params string[] arguments)
    {
        MaxOutputBytes = maxOutputBytes;
        Program = program;
        Arguments = arguments;
    }

    public string Program { get; }

    public IReadOnlyList<string> Arguments { get; }

    /// <summary>
    /// The most standard output this command can sensibly print; the runner cuts it at this or its own cap,
    /// whichever is lower, so a tool gone wrong cannot make the exporter hold more than that.
    /// </summary>
    public int MaxOutputBytes { get; }

    /// <summary><c>nft -j list ruleset</c>: the whole nftables ruleset as JSON.</summary>
    public static AllowedCommand NftListRulesetJson { get; } = new("nft", "-j", "list", "ruleset");

    /// <summary><c>nft list chains</c>: the chains without rules, for the ingress devices the JSON leaves out.</summary>
    public static AllowedCommand NftListChains { get; } = new(TableOutputBytes, "nft", "list", "chains");

    /// <summary><c>nft list ruleset</c>: the same in nft's text syntax.</summary>
    public static AllowedCommand NftListRuleset { get; } = new("nft", "list", "ruleset");

    /// <summary><c>iptables-save -c</c> (whichever backend the iptables-save on PATH uses).</summary>
    public static AllowedCommand IptablesSave { get; } = new("iptables-save", "-c");

    /// <summary><c>ip6tables-save -c</c>.</summary>
    public static AllowedCommand Ip6tablesSave { get; } = new("ip6tables-save", "-c");

    /// <summary><c>iptables-legacy-save -c</c>.</summary>
    public static AllowedCommand IptablesLegacySave { get; } = new("iptables-legacy-save", "-c");

    /// <summary><c>ip6tables-legacy-save -c</c>.</summary>
    public static AllowedCommand Ip6tablesLegacySave { get; } = new("ip6tables-legacy-save", "-c");

    /// <summary><c>iptables-nft-save -c</c>.</summary>
    public static AllowedCommand IptablesNftSave { get; } = new("iptables-nft-save", "-c");

    /// <summary><c>ip6tables-nft-save -c</c>.</summary>
    public static AllowedCommand Ip6tablesNftSave { get; } = new("ip6tables-nft-save", "-c");

    /// <summary><c>firewall-cmd --state</c>.</summary>
    public static AllowedCommand FirewalldState { get; } = new(SmallOutputBytes, "firewall-cmd", "--state");

    /// <summary><c>firewall-cmd --list-all-zones</c>.</summary>
    public static AllowedCommand FirewalldListAllZones { get; } = new(TableOutputBytes, "firewall-cmd", "--list-all-zones");

    /// <summary><c>firewall-cmd --get-active-zones</c>.</summary>
    public static AllowedCommand FirewalldActiveZones { get; } = new(SmallOutputBytes, "firewall-cmd", "--get-active-zones");

    /// <summary><c>semanage port -l -n</c>: SELinux port labels.</summary>
    public static AllowedCommand SemanagePortList { get; } = new(TableOutputBytes, "semanage", "port", "-l", "-n");

    /// <summary><c>systemctl show -p ActiveState,SubState --value UNIT</c> for a validated unit name.</summary>
    public static AllowedCommand SystemctlShow(string unit)
    {
        if (!UnitName().IsMatch(unit) || unit.StartsWith('-'))
        {
            throw new ArgumentException($"not a systemd unit name: '{unit}'", nameof(unit));
        }

        return new AllowedCommand(SmallOutputBytes, "systemctl", "show", "--property=ActiveState,SubState", "--", unit);
    }

    public override string ToString() => string.Join(' ', [Program, .. Arguments]);

    [GeneratedRegex(@"^[A-Za-z0-9:_.\\@-]{1,256}$")]
    private static partial Regex UnitName();
}
