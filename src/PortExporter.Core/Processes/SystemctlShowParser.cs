using System.Diagnostics.CodeAnalysis;

namespace PortExporter.Core.Processes;

/// <summary>
/// Parses the output of <c>systemctl show --property=ActiveState,SubState -- UNIT</c>:
/// <c>ActiveState=active</c> and <c>SubState=running</c> lines, in any order. Pure.
/// </summary>
public static class SystemctlShowParser
{
    /// <summary>Longest state accepted; systemd's are single words like "auto-restart".</summary>
    public const int MaxStateLength = 64;

    /// <summary>The unit's state, or false when either property is missing or not a systemd state word.</summary>
    public static bool TryParse(string unit, string output, [NotNullWhen(true)] out UnitState? state)
    {
        state = null;
        string? active = null;
        string? sub = null;
        foreach (var line in output.AsSpan().EnumerateLines())
        {
            var trimmed = line.TrimEnd('\r');
            if (trimmed.StartsWith("ActiveState=", StringComparison.Ordinal))
            {
                active = StateWord(trimmed["ActiveState=".Length..]);
            }
            else if (trimmed.StartsWith("SubState=", StringComparison.Ordinal))
            {
                sub = StateWord(trimmed["SubState=".Length..]);
            }
        }

        if (active is null || sub is null)
        {
            return false;
        }

        state = new UnitState(unit, active, sub);
        return true;
    }

    private static string? StateWord(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty || value.Length > MaxStateLength)
        {
            return null;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return null;
            }
        }

        return new string(value);
    }
}
