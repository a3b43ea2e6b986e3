namespace PortExporter.Core.Selinux;

/// <summary>One AVC denial of a port permission, from an audit record of type AVC.</summary>
/// <param name="Timestamp">The record's time (<c>msg=audit(SECONDS.MILLIS:SERIAL)</c>).</param>
/// <param name="Serial">The event serial number.</param>
/// <param name="Permissions">The denied port permissions in the record (name_bind, name_connect, node_bind).</param>
/// <param name="Port">The port (<c>src=</c> for binds, <c>dest=</c> for connects) and the protocol from <c>tclass</c>.</param>
/// <param name="SourceType">The type of the denied process (<c>scontext</c>), e.g. <c>httpd_t</c>.</param>
/// <param name="TargetType">The type of the target (<c>tcontext</c>), e.g. <c>unreserved_port_t</c>.</param>
/// <param name="Comm">The process name (<c>comm=</c>), when present.</param>
/// <param name="Pid">The process id, when present.</param>
/// <param name="Permissive">The <c>permissive=</c> flag: true when the access went through anyway (permissive host or domain); null on kernels that do not log it.</param>
public sealed record AvcDenial(
    DateTimeOffset Timestamp,
    ulong Serial,
    IReadOnlyList<string> Permissions,
    PortKey Port,
    string SourceType,
    string? TargetType,
    string? Comm,
    int? Pid,
    bool? Permissive)
{
    /// <summary>True when the access was really refused (not permissive).</summary>
    public bool Enforced => Permissive != true;
}
