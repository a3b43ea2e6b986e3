namespace PortExporter.Core.Sockets;

/// <summary>Lower-case label values for <see cref="ListenerScope"/>: wildcard, loopback, address.</summary>
public static class ListenerScopeNames
{
    public static string ToLabel(this ListenerScope scope) => scope switch
    {
        ListenerScope.Wildcard => "wildcard",
        ListenerScope.Loopback => "loopback",
        _ => "address",
    };
}
