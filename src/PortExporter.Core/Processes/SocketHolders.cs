namespace PortExporter.Core.Processes;

/// <summary>What a process holding a listener on behalf of another program does with it.</summary>
public enum SocketHolderKind
{
    /// <summary>
    /// A service manager that starts the service on a connection (socket activation): while it holds the port, the
    /// service not running is how it rests, not an outage.
    /// </summary>
    Activator,

    /// <summary>
    /// A container engine's process holding a published port on the host: the address it listens on is the one the
    /// port was published on (<c>-p 127.0.0.1:8080:80</c>), changed by the publish option, not by a bind address.
    /// </summary>
    ContainerPublisher,
}

/// <summary>A process that holds listeners for another program, as <see cref="SocketHolders"/> knows it.</summary>
/// <param name="Process">Its name (comm or exe basename, <see cref="ProcessInfo.Matches"/>).</param>
/// <param name="Kind">What it holds them for.</param>
/// <param name="Engine">For a container publisher: the engine (<c>Docker</c>, <c>Podman</c>) and its command.</param>
/// <param name="Forward">For a userland proxy whose command line names its backend: reads it from the arguments.</param>
public sealed record SocketHolder(
    string Process, SocketHolderKind Kind, (string Name, string Command)? Engine = null, Func<IReadOnlyList<string>, ProxyForward?>? Forward = null);

/// <summary>
/// The processes known to hold listening sockets for another program: systemd (PID 1 and the per-user managers:
/// <c>ssh.socket</c> on Ubuntu, <c>cockpit.socket</c>, <c>cups.socket</c>), its tool <c>systemd-socket-activate</c>,
/// inetd and xinetd, which start the service on a connection; Docker's <c>docker-proxy</c> and rootless Docker's
/// <c>rootlesskit</c>, Podman's <c>conmon</c> (which keeps the published ports reserved) and rootless Podman's
/// <c>rootlessport</c> and <c>pasta</c> (Podman 5's default rootless network; <c>pasta.avx2</c> where the CPU has
/// AVX2), which hold a container's published port.
/// </summary>
public static class SocketHolders
{
    private static readonly (string Name, string Command) Docker = ("Docker", "docker");
    private static readonly (string Name, string Command) Podman = ("Podman", "podman");

    private static readonly SocketHolder[] Known =
    [
        new("systemd", SocketHolderKind.Activator),
        new("systemd-socket-activate", SocketHolderKind.Activator),
        new("inetd", SocketHolderKind.Activator),
        new("xinetd", SocketHolderKind.Activator),
        new("docker-proxy", SocketHolderKind.ContainerPublisher, Docker, DockerProxyArguments.Parse),
        new("rootlesskit", SocketHolderKind.ContainerPublisher, Docker),
        new("conmon", SocketHolderKind.ContainerPublisher, Podman),
        new("rootlessport", SocketHolderKind.ContainerPublisher, Podman),
        new("pasta", SocketHolderKind.ContainerPublisher, Podman),
        new("pasta.avx2", SocketHolderKind.ContainerPublisher, Podman),
    ];

    /// <summary>What <paramref name="process"/> is among the holders above; null for any other process.</summary>
    public static SocketHolder? Of(ProcessInfo process)
    {
        ArgumentNullException.ThrowIfNull(process);
        return Array.Find(Known, h => process.Matches(h.Process));
    }
}
