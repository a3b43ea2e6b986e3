namespace PortExporter.Firewall.Model;

/// <summary>What a rule does when it matches.</summary>
public enum RuleActionKind
{
    /// <summary>Nothing that ends the chain (log, counter, mark, notrack, nft <c>continue</c>): the next rule runs.</summary>
    Continue,
    Accept,
    Drop,
    Reject,
    Jump,
    Goto,
    Return,

    /// <summary>DNAT: rewrites the destination, then accepts in this chain.</summary>
    DestinationNat,

    /// <summary>REDIRECT: rewrites the destination to the incoming interface's address, then accepts.</summary>
    Redirect,

    /// <summary>SNAT / MASQUERADE: accepts in this chain.</summary>
    SourceNat,

    /// <summary>nft verdict map: the verdict depends on a lookup.</summary>
    VerdictMap,

    /// <summary>A target the evaluator does not understand (queue, TPROXY, an xt target): the verdict is unknown.</summary>
    Unknown,
}
