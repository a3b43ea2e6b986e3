using System.Globalization;
using PortExporter.Core.Processes;

namespace PortExporter.Core.Selinux;

/// <summary>
/// When a process started, from proc(5): field 22 of <c>/proc/PID/stat</c> (starttime, clock ticks after boot, read by
/// <see cref="ProcStat"/>) plus <c>btime</c> of <c>/proc/stat</c>. A pure parser and thin readers.
/// </summary>
public static class ProcessStartTime
{
    /// <summary>USER_HZ, the unit of starttime: 100 on every Linux architecture's user ABI.</summary>
    public const int ClockTicksPerSecond = 100;

    /// <summary>Reads the boot time (<c>btime</c>), or null when /proc/stat is unreadable.</summary>
    public static long? ReadBootTime(HostPaths paths)
    {
        var path = paths.Proc("stat");
        try
        {
            return ParseBootTime(File.ReadAllText(path), path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SelinuxFormatException)
        {
            return null;
        }
    }

    /// <summary>Reads the start time of <paramref name="pid"/>, or null when the process is gone or unreadable.</summary>
    public static DateTimeOffset? Read(HostPaths paths, long bootTimeSeconds, int pid)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return ProcStat.Read(paths.Procfs, pid) is { } stat ? FromTicks(bootTimeSeconds, stat.StartTicks) : null;
    }

    public static DateTimeOffset FromTicks(long bootTimeSeconds, long startTicks) =>
        DateTimeOffset.FromUnixTimeSeconds(bootTimeSeconds).AddTicks(startTicks * (TimeSpan.TicksPerSecond / ClockTicksPerSecond));

    /// <summary>The <c>btime</c> line of <c>/proc/stat</c>: boot time in seconds since the epoch.</summary>
    public static long ParseBootTime(string procStat, string source)
    {
        foreach (var line in procStat.AsSpan().EnumerateLines())
        {
            if (line.StartsWith("btime "))
            {
                var value = line[6..].Trim();
                return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                    ? seconds
                    : throw new SelinuxFormatException(source, "btime", value.ToString(), "expected seconds since the epoch");
            }
        }

        throw new SelinuxFormatException(source, "btime", string.Empty, "no btime line");
    }
}
