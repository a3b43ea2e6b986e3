using System.CommandLine;
using PortExporter.Core.Collection;

namespace PortExporter.Cli;

/// <summary>
/// <c>--collector.NAME</c> and <c>--no-collector.NAME</c> for every collector, as node_exporter's: all on by
/// default; when both forms of one collector are given, the last one wins.
/// </summary>
public sealed class CollectorFlags
{
    private readonly List<(string Name, Option<bool> Enable, Option<bool> Disable)> _flags = [.. CollectorNames.All.Select(name => (
        name,
        new Option<bool>($"--collector.{name}") { Description = $"Enable the {name} collector (default: enabled).", Recursive = true },
        new Option<bool>($"--no-collector.{name}") { Description = $"Disable the {name} collector: its evidence is not collected.", Recursive = true }))];

    public void AddTo(Command command)
    {
        foreach (var (_, enable, disable) in _flags)
        {
            command.Options.Add(enable);
            command.Options.Add(disable);
        }
    }

    /// <summary>The switches the parsed flags ask for.</summary>
    public CollectorSwitches Read(ParseResult parse)
    {
        var tokens = parse.Tokens.Select(t => t.Value).ToList();
        var disabled = _flags
            .Where(f => parse.GetValue(f.Disable) && tokens.LastIndexOf(f.Disable.Name) > tokens.LastIndexOf(f.Enable.Name))
            .Select(f => f.Name);
        return CollectorSwitches.Disabling(disabled);
    }
}
