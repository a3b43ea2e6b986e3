namespace PortExporter.Core.Backend;

/// <summary>What is known of the backend behind a DNAT to another address.</summary>
public enum BackendStatus
{
    /// <summary>A socket in the namespace that owns the address accepts connections to it.</summary>
    Listening,

    /// <summary>The namespace that owns the address was read: no socket there accepts connections to it.</summary>
    NotListening,

    /// <summary>No readable namespace on this host owns the address (another host, or the search was cut short).</summary>
    NamespaceNotFound,

    /// <summary>The namespace was found but its socket tables could not be read, or some namespaces could not be read.</summary>
    Unreadable,
}

/// <summary>The label words of <see cref="BackendStatus"/>.</summary>
public static class BackendStatusNames
{
    public static string ToLabel(this BackendStatus status) => status switch
    {
        BackendStatus.Listening => "listening",
        BackendStatus.NotListening => "not_listening",
        BackendStatus.NamespaceNotFound => "namespace_not_found",
        _ => "unreadable",
    };
}
