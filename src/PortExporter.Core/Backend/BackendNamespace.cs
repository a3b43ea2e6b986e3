using System.Globalization;
using PortExporter.Core.Processes;

namespace PortExporter.Core.Backend;

/// <summary>A network namespace seen through one of its processes.</summary>
/// <param name="Key">The inode the kernel gives the namespace's <c>net/tcp</c> entry (one per namespace).</param>
/// <param name="Link">The <c>ns/net</c> link target (<c>net:[4026532524]</c>), null when not readable (it needs ptrace access).</param>
/// <param name="Process">The lowest process in it: where its tables are read from, and what names it.</param>
public sealed record BackendNamespace(ulong Key, string? Link, ProcessInfo Process)
{
    /// <summary>"net:[4026532524] of nginx pid 1234": how the diagnosis names it.</summary>
    public string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"{Link ?? "network namespace"} of {Process.DisplayName} pid {Process.Pid}");
}
