namespace PortExporter.Core.Processes;

/// <summary>What systemd said about the configured units.</summary>
/// <param name="SystemdAvailable">True when systemd answered for every unit; false when it was not asked (no unit
/// configured) or could not be asked (no systemctl, systemd not PID 1, no D-Bus, timeout).</param>
/// <param name="Units">Each unit's state; empty unless <paramref name="SystemdAvailable"/>.</param>
/// <param name="Problem">Why systemd was not available, for the log; null when it was or was not asked.</param>
public sealed record UnitStateReport(bool SystemdAvailable, IReadOnlyDictionary<string, UnitState> Units, string? Problem)
{
    public static UnitStateReport NotAsked { get; } = new(false, new Dictionary<string, UnitState>(), null);
}
