namespace PortExporter.Firewall.Firewalld;

/// <summary>firewalld's runtime zones and the ports of the services they name.</summary>
/// <param name="Zones">Every zone.</param>
/// <param name="ServicePorts">Per service named by a zone: its ports (<c>443/tcp</c>), when its definition was found.</param>
public sealed record FirewalldConfiguration(IReadOnlyList<FirewalldZone> Zones, IReadOnlyDictionary<string, IReadOnlyList<string>> ServicePorts);
