namespace PortExporter.Core.Processes;

/// <summary>A systemd unit's state as systemd reports it.</summary>
public sealed record UnitState(string Unit, string ActiveState, string SubState)
{
    public bool IsActive => ActiveState is "active" or "reloading";
}
