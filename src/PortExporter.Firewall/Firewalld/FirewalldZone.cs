namespace PortExporter.Firewall.Firewalld;

/// <summary>One firewalld zone as <c>firewall-cmd --list-all-zones</c> prints it.</summary>
/// <param name="Name">The zone name.</param>
/// <param name="IsDefault">The default zone (traffic of interfaces and sources bound to no zone).</param>
/// <param name="IsActive">Bound to at least one interface or source.</param>
/// <param name="Target">default, ACCEPT, DROP or %%REJECT%%.</param>
/// <param name="Interfaces">Interfaces bound to it.</param>
/// <param name="Sources">Source addresses/prefixes (or ipset:NAME) bound to it.</param>
/// <param name="Services">Services it opens.</param>
/// <param name="Ports">Ports it opens: <c>8080/tcp</c>, <c>60000-61000/udp</c>.</param>
/// <param name="Protocols">Whole protocols it opens.</param>
/// <param name="ForwardPorts">Port forwards: <c>port=80:proto=tcp:toport=8080:toaddr=</c>.</param>
/// <param name="RichRules">Rich rules, verbatim.</param>
public sealed record FirewalldZone(
    string Name,
    bool IsDefault,
    bool IsActive,
    string Target,
    IReadOnlyList<string> Interfaces,
    IReadOnlyList<string> Sources,
    IReadOnlyList<string> Services,
    IReadOnlyList<string> Ports,
    IReadOnlyList<string> Protocols,
    IReadOnlyList<string> ForwardPorts,
    IReadOnlyList<string> RichRules);
