namespace PortExporter.Core.Processes;

/// <summary>A process, as /proc names it.</summary>
/// <param name="Pid">Process id.</param>
/// <param name="Comm">The kernel's short name (/proc/PID/comm).</param>
/// <param name="ExeName">Basename of /proc/PID/exe, when readable.</param>
public sealed record ProcessInfo(int Pid, string Comm, string? ExeName)
{
    /// <summary>
    /// For a userland proxy that names its backend on its command line (<see cref="SocketHolder.Forward"/>): where it
    /// sends what it accepts; null for any other process.
    /// </summary>
    public ProxyForward? Forward { get; init; }

    /// <summary>The name shown in labels: comm, which is what ss -p shows.</summary>
    public string DisplayName => Comm;

    /// <summary>
    /// True when <paramref name="expected"/> is this process's comm or exe basename. The kernel cuts comm to 15
    /// characters, so a longer name matches a comm that is its first 15, unless the exe basename also starts
    /// with that comm: then exe is the full name and decides (an interpreter's exe, such as python3, does not).
    /// </summary>
    public bool Matches(string expected) =>
        string.Equals(Comm, expected, StringComparison.Ordinal)
        || string.Equals(ExeName, expected, StringComparison.Ordinal)
        || (expected.Length > MaxCommLength
            && Comm.Length == MaxCommLength
            && expected.StartsWith(Comm, StringComparison.Ordinal)
            && ExeName?.StartsWith(Comm, StringComparison.Ordinal) != true);

    /// <summary>TASK_COMM_LEN - 1: the longest comm the kernel keeps.</summary>
    public const int MaxCommLength = 15;
}
