namespace PortExporter.Firewall;

/// <summary>What the host's ruleset does to a new connection to a port.</summary>
public enum FirewallVerdict
{
    Accept,
    Drop,
    Reject,

    /// <summary>A match the evaluator does not understand decided, or could have decided, the path.</summary>
    Unknown,
}
