using PortExporter.Firewall.Ipset;
using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Iptables.Modules;

/// <summary>
/// The state a match module reads and writes while one iptables-save rule is compiled: the arguments and the
/// position in them (shared with the compiler), the IP version and the rule's matches and comment.
/// One per rule; not thread-safe.
/// </summary>
internal sealed class ModuleContext(IReadOnlyList<string> args, int ipVersion, IpsetCatalog? sets = null)
{
    public IReadOnlyList<string> Args { get; } = args;

    /// <summary>The index of the next argument to read.</summary>
    public int Position { get; set; }

    /// <summary>4 or 6.</summary>
    public int IpVersion { get; } = ipVersion;

    /// <summary>The ipset contents <c>-m set</c> looks up, or null when they were not read.</summary>
    public IpsetCatalog? Sets { get; } = sets;

    public List<RuleMatch> Matches { get; } = [];

    public string? Comment { get; set; }

    public bool AtEnd => Position >= Args.Count;

    /// <summary>Reads the value of the option just read; returns why the line is broken when there is none.</summary>
    public string? Value(out string value)
    {
        if (Position >= Args.Count)
        {
            value = string.Empty;
            return $"'{Args[Position - 1]}' needs a value";
        }

        value = Args[Position++];
        return null;
    }

    /// <summary>Reads the option's value and adds what <paramref name="read"/> makes of it.</summary>
    public ModuleOptionResult WithValue(Action<string> read)
    {
        if (Value(out var text) is { } problem)
        {
            return ModuleOptionResult.Broken(problem);
        }

        read(text);
        return ModuleOptionResult.Done;
    }
}
