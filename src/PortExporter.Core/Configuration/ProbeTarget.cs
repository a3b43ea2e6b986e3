namespace PortExporter.Core.Configuration;

/// <summary>
/// A target <c>/probe</c> may connect to; nothing else is ever probed on request. A vantage also probes every
/// target on its own schedule and exposes the results (<c>port_target_probe_success</c>), so the outside view of a
/// host stays when the host and its exporter are down.
/// </summary>
/// <param name="Name">The target's name (<c>?target=</c>, the <c>target</c> label).</param>
/// <param name="Address">The address or name dialled.</param>
/// <param name="Port">The port dialled.</param>
/// <param name="Protocol">tcp or udp.</param>
public sealed record ProbeTarget(string Name, string Address, int Port, TransportProtocol Protocol)
{
    /// <summary>
    /// <c>host</c>: the host whose service this target reaches, as the rules name it (the <c>host</c> label of
    /// <c>port_target_probe_success</c>), so a dead host's outside probes can be told from its exporter's absence.
    /// </summary>
    public string? Host { get; init; }
}
