namespace PortExporter.Core.Processes;

/// <summary>
/// Service managers that hold a service's listening socket and start the service on a connection (socket
/// activation): systemd, PID 1 and the per-user managers (<c>ssh.socket</c> on Ubuntu, <c>cockpit.socket</c>,
/// <c>cups.socket</c>); its tool <c>systemd-socket-activate</c>; inetd and xinetd. While such a manager holds the
/// port, the service not running is how it rests, not an outage: the kernel takes the connection and the manager
/// starts the service for it.
/// </summary>
public static class SocketActivators
{
    private static readonly string[] Names = ["systemd", "systemd-socket-activate", "inetd", "xinetd"];

    /// <summary>True when <paramref name="process"/> is one of the service managers above.</summary>
    public static bool Is(ProcessInfo process)
    {
        ArgumentNullException.ThrowIfNull(process);
        return Array.Exists(Names, process.Matches);
    }
}
