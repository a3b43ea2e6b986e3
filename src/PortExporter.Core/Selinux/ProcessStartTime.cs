using System.Globalization;

namespace PortExporter.Core.Selinux;

/// <summary>
/// When a process started, from proc(5): field 22 of <c>/proc/PID/stat</c> (starttime, clock ticks after boot)
/// plus <c>btime</c> of <c>/proc/stat</c>. Pure parsers and a thin reader.
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
        var path = paths.Proc(pid.ToString(CultureInfo.InvariantCulture), "stat");
        try
        {
            return FromTicks(bootTimeSeconds, ParseStartTicks(File.ReadAllText(path), path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SelinuxFormatException)
        {
            return null;
        }
    }

    public static DateTimeOffset FromTicks(long bootTimeSeconds, long startTicks) =>
        DateTimeOffset.FromUnixTimeSeconds(bootTimeSeconds).AddTicks(startTicks * (TimeSpan.TicksPerSecond / ClockTicksPerSecond));

    /// <summary>Field 22 of a <c>/proc/PID/stat</c> line; the command name (field 2) may hold spaces and parentheses.</summary>
    public static long ParseStartTicks(string stat, string source)
    {
        var close = stat.LastIndexOf(')');
        if (close < 0)
        {
            throw new SelinuxFormatException(source, "comm", stat, "expected 'PID (COMM) STATE ...'");
        }

        // After ") " come fields 3.. ; starttime is field 22, the 20th of them.
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length >= 20 && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            ? ticks
            : throw new SelinuxFormatException(source, "starttime", fields.Length >= 20 ? fields[19] : stat, "expected field 22 to be a number");
    }

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
