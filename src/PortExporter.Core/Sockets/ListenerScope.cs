namespace PortExporter.Core.Sockets;

/// <summary>Where a listener accepts connections from.</summary>
public enum ListenerScope
{
    /// <summary>0.0.0.0 or [::]: every address of the host.</summary>
    Wildcard,

    /// <summary>127.0.0.0/8 or ::1: only from this host.</summary>
    Loopback,

    /// <summary>One specific address of the host.</summary>
    Address,
}
