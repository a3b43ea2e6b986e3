using System.Net;

namespace PortExporter.Core.Configuration;

/// <summary>One watched port: what the config says the service should look like from outside.</summary>
/// <param name="Name">The <c>service</c> label.</param>
/// <param name="Port">1-65535.</param>
/// <param name="Protocol">tcp or udp.</param>
/// <param name="Process">Expected process name (comm or exe basename), when given.</param>
/// <param name="Unit">Expected systemd unit, when given.</param>
/// <param name="Bind">The address outside clients reach the service on, when given.</param>
/// <param name="External">Addresses outside clients dial (public / NAT), when given.</param>
/// <param name="SelinuxType">The SELinux port type the service needs, when given.</param>
public sealed record PortSpec(
    string Name,
    int Port,
    TransportProtocol Protocol,
    string? Process = null,
    string? Unit = null,
    IPAddress? Bind = null,
    IReadOnlyList<HostPort>? External = null,
    string? SelinuxType = null)
{
    public PortKey Key => new(Port, Protocol);

    /// <summary>Where the port must be reachable from (<c>expose</c>; public when not given).</summary>
    public PortExpose Expose { get; init; } = PortExpose.Public;

    /// <summary>The sources that must get through (<c>from:</c>); empty when not given.</summary>
    public IReadOnlyList<IPNetwork> From { get; init; } = [];

    /// <summary>Whether the intent was configured or inferred by auto-watch.</summary>
    public IntentOrigin Origin { get; init; } = IntentOrigin.Config;

    public IReadOnlyList<HostPort> ExternalEndpoints => External ?? [];
}
