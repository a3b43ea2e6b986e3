namespace PortExporter.Core.Processes;

/// <summary>
/// Processes that hold a published container port on the host for a container engine: Docker's userland proxy
/// (<c>docker-proxy</c>) and rootless Docker's <c>rootlesskit</c>; Podman's <c>conmon</c> (which keeps the published
/// ports reserved) and rootless Podman's <c>rootlessport</c>. The address such a listener is on is the one the port
/// was published on (<c>-p 127.0.0.1:8080:80</c>): what changes it is the publish option, not a bind address.
/// </summary>
public static class ContainerPublishers
{
    private static readonly (string Process, string Engine, string Command)[] Known =
    [
        ("docker-proxy", "Docker", "docker"),
        ("rootlesskit", "Docker", "docker"),
        ("conmon", "Podman", "podman"),
        ("rootlessport", "Podman", "podman"),
    ];

    /// <summary>The engine (<c>Docker</c>, <c>Podman</c>) and its command when <paramref name="process"/> publishes its ports; null otherwise.</summary>
    public static (string Engine, string Command)? Of(ProcessInfo process)
    {
        ArgumentNullException.ThrowIfNull(process);
        foreach (var (name, engine, command) in Known)
        {
            if (process.Matches(name))
            {
                return (engine, command);
            }
        }

        return null;
    }
}
