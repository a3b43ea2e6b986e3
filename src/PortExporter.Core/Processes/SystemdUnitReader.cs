using System.Globalization;
using PortExporter.Core.Commands;

namespace PortExporter.Core.Processes;

/// <summary>
/// Asks systemd for each unit's ActiveState and SubState with <see cref="AllowedCommand.SystemctlShow"/>. When
/// systemctl is missing, fails (no systemd as PID 1, no bus) or times out, systemd is "not available" and no
/// unit gets a state: an unknown unit is never reported inactive. Stateless, thread-safe.
/// </summary>
public sealed class SystemdUnitReader(ICommandRunner commands)
{
    /// <summary>Asks for every unit in turn, stopping at the first that gets no answer.</summary>
    public async Task<UnitStateReport> ReadAsync(IReadOnlyCollection<string> units, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (units.Count == 0)
        {
            return UnitStateReport.NotAsked;
        }

        var states = new Dictionary<string, UnitState>(StringComparer.Ordinal);
        foreach (var unit in units.Distinct(StringComparer.Ordinal))
        {
            var command = AllowedCommand.SystemctlShow(unit);
            var result = await commands.RunAsync(command, timeout, cancellationToken).ConfigureAwait(false);
            var problem = Problem(command, result);
            if (problem is null)
            {
                if (SystemctlShowParser.TryParse(unit, result.Stdout, out var state))
                {
                    states[unit] = state;
                    continue;
                }

                problem = $"{command}: no ActiveState/SubState in its output";
            }

            return new UnitStateReport(false, new Dictionary<string, UnitState>(), problem);
        }

        return new UnitStateReport(true, states, null);
    }

    private static string? Problem(AllowedCommand command, CommandResult result) => result switch
    {
        { Found: false } => $"{command.Program} not found",
        { TimedOut: true } => $"{command}: timed out",
        { Truncated: true } => $"{command}: output too long",
        { ExitCode: not 0 } => string.Create(
            CultureInfo.InvariantCulture,
            $"{command}: exit {result.ExitCode}: {FirstLine(result.Stderr)}"),
        _ => null,
    };

    private static string FirstLine(string text)
    {
        var line = text.AsSpan().Trim();
        var newline = line.IndexOf('\n');
        return new string(newline >= 0 ? line[..newline] : line);
    }
}
