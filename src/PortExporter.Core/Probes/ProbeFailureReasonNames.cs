namespace PortExporter.Core.Probes;

/// <summary>The <c>reason</c> label values of <see cref="ProbeFailureReason"/>.</summary>
public static class ProbeFailureReasonNames
{
    /// <summary>Every failure reason (all but <see cref="ProbeFailureReason.None"/>), in label order.</summary>
    public static IReadOnlyList<ProbeFailureReason> Failures { get; } =
    [
        ProbeFailureReason.Refused, ProbeFailureReason.Timeout, ProbeFailureReason.Unreachable,
        ProbeFailureReason.Reset, ProbeFailureReason.Dns, ProbeFailureReason.Error,
    ];

    public static string ToLabel(this ProbeFailureReason reason) => reason switch
    {
        ProbeFailureReason.None => "none",
        ProbeFailureReason.Refused => "refused",
        ProbeFailureReason.Timeout => "timeout",
        ProbeFailureReason.Unreachable => "unreachable",
        ProbeFailureReason.Reset => "reset",
        ProbeFailureReason.Dns => "dns",
        _ => "error",
    };

    /// <summary>Parses a label value; only the failure reasons are accepted (never "none").</summary>
    public static bool TryParseFailure(string? text, out ProbeFailureReason reason)
    {
        foreach (var candidate in Failures)
        {
            if (string.Equals(candidate.ToLabel(), text, StringComparison.Ordinal))
            {
                reason = candidate;
                return true;
            }
        }

        reason = ProbeFailureReason.None;
        return false;
    }
}
