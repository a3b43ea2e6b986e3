namespace PortExporter.Core.Selinux;

/// <summary>What one audit log line turned out to be.</summary>
public enum AuditLineKind
{
    /// <summary>Blank, another record type, a granted access, or a denial of a permission that is not about ports.</summary>
    Other,

    /// <summary>A port permission denial for a watched port (or with no filter).</summary>
    Denial,

    /// <summary>A port permission denial for a port that is not watched: not materialised.</summary>
    UnwatchedDenial,

    /// <summary>Not an audit record, or an AVC record missing its header, permissions, class or a valid port.</summary>
    Malformed,
}
