using System.Globalization;
using PortExporter.Core.Sockets;

namespace PortExporter.Core.Processes;

/// <summary>
/// The fields of <c>/proc/PID/stat</c> (proc(5)) the exporter uses: the state (field 3) and the start time
/// (field 22, clock ticks after boot). The one parser of that file; the command name (field 2) may hold spaces and
/// parentheses, so the fields are counted from its last ')'.
/// </summary>
/// <param name="State">R, S, D, Z, X, ...</param>
/// <param name="StartTicks">starttime, in clock ticks after boot.</param>
public readonly record struct ProcStat(char State, long StartTicks)
{
    /// <summary>Exited and waiting to be reaped (Z) or dead (X): it keeps its comm but runs nothing.</summary>
    public bool IsDead => State is 'Z' or 'X';

    /// <summary>Parses one stat line; <paramref name="source"/> names the file in errors.</summary>
    public static ProcStat Parse(string stat, string source)
    {
        ArgumentNullException.ThrowIfNull(stat);
        var close = stat.LastIndexOf(')');
        if (close < 0)
        {
            throw new ProcfsFormatException(source, 1, "comm", stat, "'PID (COMM) STATE ...'");
        }

        // After ") " come fields 3.. ; the state is the first of them, starttime (field 22) the 20th.
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 0 || fields[0].Length != 1)
        {
            throw new ProcfsFormatException(source, 1, "state", fields.Length == 0 ? stat : fields[0], "a one-letter state");
        }

        return fields.Length >= 20 && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            ? new ProcStat(fields[0][0], ticks)
            : throw new ProcfsFormatException(source, 1, "starttime", fields.Length >= 20 ? fields[19] : stat, "field 22 to be a number");
    }

    /// <summary>Reads <c>&lt;procfs&gt;/PID/stat</c>; null when the process is gone, unreadable or its line malformed.</summary>
    public static ProcStat? Read(string procfs, int pid)
    {
        var path = Path.Combine(procfs, pid.ToString(CultureInfo.InvariantCulture), "stat");
        try
        {
            return Parse(File.ReadAllText(path), path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ProcfsFormatException)
        {
            return null;
        }
    }
}
