namespace PortExporter.Core.Collection;

/// <summary>
/// Which collectors run (<c>--collector.NAME</c> / <c>--no-collector.NAME</c>, every one on by default, as
/// node_exporter's). A disabled collector is not run: its evidence is "not collected", it has no
/// <c>port_exporter_collector_success</c> series, and <c>port_exporter_collector_enabled{collector}</c> is 0.
/// Immutable.
/// </summary>
public sealed class CollectorSwitches
{
    private readonly HashSet<string> _disabled;

    private CollectorSwitches(IEnumerable<string> disabled) => _disabled = new HashSet<string>(disabled, StringComparer.Ordinal);

    public static CollectorSwitches AllEnabled { get; } = new([]);

    /// <summary>Every collector except <paramref name="names"/> (each one of <see cref="CollectorNames.All"/>).</summary>
    public static CollectorSwitches Disabling(params IEnumerable<string> names)
    {
        var list = names.ToList();
        var unknown = list.FirstOrDefault(n => !CollectorNames.All.Contains(n, StringComparer.Ordinal));
        return unknown is null
            ? new CollectorSwitches(list)
            : throw new ArgumentException($"unknown collector '{unknown}', expected one of {string.Join(", ", CollectorNames.All)}", nameof(names));
    }

    public bool IsEnabled(string collector) => !_disabled.Contains(collector);

    /// <summary>The disabled collectors, in <see cref="CollectorNames.All"/> order.</summary>
    public IReadOnlyList<string> Disabled => [.. CollectorNames.All.Where(_disabled.Contains)];
}
