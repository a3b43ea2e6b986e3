namespace PortExporter.Core.Processes;

/// <summary>A process, as /proc names it.</summary>
/// <param name="Pid">Process id.</param>
/// <param name="Comm">The kernel's short name (/proc/PID/comm).</param>
/// <param name="ExeName">Basename of /proc/PID/exe, when readable.</param>
public sealed record ProcessInfo(int Pid, string Comm, string? ExeName)
{
    /// <summary>The name shown in labels: comm, which is what ss -p shows.</summary>
    public string DisplayName => Comm;

    public bool Matches(string expected) =>
        string.Equals(Comm, expected, StringComparison.Ordinal)
        || string.Equals(ExeName, expected, StringComparison.Ordinal)
        || (expected.Length > 15 && Comm.Length == 15 && expected.StartsWith(Comm, StringComparison.Ordinal));
}
