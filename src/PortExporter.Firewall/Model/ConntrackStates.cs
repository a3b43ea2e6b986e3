namespace PortExporter.Firewall.Model;

/// <summary>Conntrack states, with the bit values nftables uses.</summary>
[Flags]
public enum ConntrackStates
{
    None = 0,
    Invalid = 1,
    Established = 2,
    Related = 4,
    New = 8,
    Untracked = 64,
}

/// <summary>Parsing of conntrack state names (nft and iptables spellings).</summary>
public static class ConntrackStateNames
{
    public static bool TryParse(string name, out ConntrackStates state)
    {
        state = name.ToUpperInvariant() switch
        {
            "INVALID" => ConntrackStates.Invalid,
            "ESTABLISHED" => ConntrackStates.Established,
            "RELATED" => ConntrackStates.Related,
            "NEW" => ConntrackStates.New,
            "UNTRACKED" => ConntrackStates.Untracked,
            _ => ConntrackStates.None,
        };
        return state != ConntrackStates.None;
    }
}
