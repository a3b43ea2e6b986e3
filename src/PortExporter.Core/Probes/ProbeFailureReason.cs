namespace PortExporter.Core.Probes;

/// <summary>Why a probe failed: a bounded set, the label values of <c>port_probe_failure_reason</c>.</summary>
public enum ProbeFailureReason
{
    None,
    Refused,
    Timeout,
    Unreachable,
    Reset,
    Dns,
    Error,
}
