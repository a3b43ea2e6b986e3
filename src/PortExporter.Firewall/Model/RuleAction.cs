using System.Net;

namespace PortExporter.Firewall.Model;

/// <summary>A rule's verdict or target.</summary>
/// <param name="Kind">What it does.</param>
/// <param name="Target">The chain of a jump/goto.</param>
/// <param name="Detail">The reject type, or why an unknown action is unknown.</param>
public sealed record RuleAction(RuleActionKind Kind, string? Target = null, string? Detail = null)
{
    public static RuleAction Continue { get; } = new(RuleActionKind.Continue);

    public static RuleAction Accept { get; } = new(RuleActionKind.Accept);

    public static RuleAction Drop { get; } = new(RuleActionKind.Drop);

    public static RuleAction Return { get; } = new(RuleActionKind.Return);

    /// <summary>The new destination address of a DNAT, when it names one.</summary>
    public IPAddress? NatAddress { get; init; }

    /// <summary>The new destination port of a DNAT/REDIRECT, when it names one.</summary>
    public int? NatPort { get; init; }

    /// <summary>The lookup of a <see cref="RuleActionKind.VerdictMap"/>.</summary>
    public VerdictMap? Map { get; init; }

    public static RuleAction Jump(string chain) => new(RuleActionKind.Jump, chain);

    public static RuleAction Goto(string chain) => new(RuleActionKind.Goto, chain);

    public static RuleAction Reject(string? with = null) => new(RuleActionKind.Reject, Detail: with);

    public static RuleAction Unknown(string why) => new(RuleActionKind.Unknown, Detail: why);
}
