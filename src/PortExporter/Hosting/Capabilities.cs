using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using PortExporter.Core.Commands;

namespace PortExporter.Hosting;

/// <summary>
/// The exporter's capabilities: made effective at start, and reported once in the log with what a missing one costs.
/// <para>
/// The image gives the binary file capabilities without the effective bit (deploy/README.md, "Capabilities"): execve
/// then grants the ones the deployment allows (its bounding set; with no_new_privs also its permitted set) and never
/// refuses to start for a missing one, and the process starts with an empty effective set. Capabilities are per
/// thread and a new thread copies its creator's, so <see cref="RaiseAtStart"/> runs first thing in Main, before the
/// program creates any thread; the finalizer thread, started by the runtime before Main, is reached through a
/// finalizer. Under systemd (ambient capabilities, no file capabilities) they are effective from the start.
/// </para>
/// </summary>
public static partial class Capabilities
{
    /// <summary>What each capability the exporter uses gives, and what is missing without it.</summary>
    private static readonly Dictionary<LinuxCapability, string> WithoutIt = new()
    {
        [LinuxCapability.DacReadSearch] = "other users' /proc/PID/fd cannot be listed and the audit log cannot be read: the processes behind their sockets are not named (port_exporter_processes_unreadable), no SELinux denials",
        [LinuxCapability.NetAdmin] = "nft and iptables-save cannot read the ruleset: the firewall collector fails (port_exporter_collector_success{collector=\"firewall\"} 0)",
        [LinuxCapability.SysPtrace] = "the links of other users' /proc/PID/fd cannot be read: the processes behind their sockets are not named (port_exporter_processes_unreadable); granted only on request, as it also allows reading any process's memory",
    };

    /// <summary>Makes the permitted capabilities effective on the calling (main) thread and on the finalizer thread.</summary>
    public static void RaiseAtStart()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        ThreadCapabilities.RaiseEffective();
        RaiseOnFinalizerThread();
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    /// <summary>Logs the capabilities the exporter holds and, for each one it lacks, what evidence goes missing.</summary>
    public static void Report(ILogger logger)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var (permitted, effective, _) = ThreadCapabilities.Read();
        var held = LinuxCapabilities.In(effective);
        var names = held.Count == 0 ? "none" : string.Join(',', held.Select(c => c.Name()));
        var children = string.Join(',', LinuxCapabilities.In(permitted & LinuxCapabilities.Mask(AllowedCommand.NftListRulesetJson.ChildCapabilities.Concat(AllowedCommand.IptablesLegacySave.ChildCapabilities))).Select(c => c.Name()).DefaultIfEmpty("none"));
        var threads = ThreadsWithout(permitted);
        CapabilitiesHeld(logger, names, Environment.UserName, children, threads);
        foreach (var missing in LinuxCapabilities.Used.Except(held))
        {
            CapabilityMissing(logger, missing.Name(), WithoutIt[missing]);
        }
    }

    /// <summary>How many threads of the process lack an effective capability that is permitted (0 when all raised).</summary>
    private static int ThreadsWithout(ulong permitted)
    {
        var count = 0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                var line = File.ReadLines(Path.Combine(task, "status")).FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
                if (line is not null && (ulong.Parse(line[7..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & permitted) != permitted)
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }

        return count;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RaiseOnFinalizerThread() => _ = new FinalizerThreadRaiser();

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "capabilities: {Capabilities} (user {User}); children reading the ruleset get {Children}; threads without them: {Threads}")]
    private static partial void CapabilitiesHeld(ILogger logger, string capabilities, string user, string children, int threads);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "without {Capability}: {Consequence}")]
    private static partial void CapabilityMissing(ILogger logger, string capability, string consequence);

    /// <summary>Its finalizer runs on the finalizer thread, and raises the effective set there.</summary>
    private sealed class FinalizerThreadRaiser
    {
        ~FinalizerThreadRaiser() => ThreadCapabilities.RaiseEffective();
    }
}
