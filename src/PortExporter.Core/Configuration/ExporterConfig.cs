namespace PortExporter.Core.Configuration;

/// <summary>The validated config file. Immutable; a reload builds a new one.</summary>
/// <param name="SourcePath">The file it came from, or null when none was given.</param>
/// <param name="Ports">Configured ports. Empty with auto-watch on means "watch every lasting listener".</param>
public sealed record ExporterConfig(
    string? SourcePath,
    IReadOnlyList<PortSpec> Ports,
    FirewallSettings Firewall,
    SelinuxSettings Selinux,
    ProbeSettings Probes,
    IReadOnlyList<ProbeTarget> ProbeTargets,
    IReadOnlyList<Vantage> Vantages)
{
    /// <summary>No config file: watch every port that has a listener, now and later.</summary>
    public static ExporterConfig AutoDiscover { get; } = new(
        null, [], FirewallSettings.Default, SelinuxSettings.Default, ProbeSettings.Default, [], []);

    /// <summary>The <c>web:</c> section.</summary>
    public WebSettings Web { get; init; } = WebSettings.Default;

    /// <summary>The <c>history:</c> section.</summary>
    public HistorySettings History { get; init; } = HistorySettings.Default;

    /// <summary>The <c>auto_watch:</c> section.</summary>
    public AutoWatchSettings AutoWatch { get; init; } = AutoWatchSettings.Default;

    /// <summary>
    /// True when listeners become watched ports (auto-watch): when <c>auto_watch.enabled</c> says so, else when the
    /// config has no ports (no file, or a file without <c>ports:</c>). With ports too, both are watched.
    /// </summary>
    public bool DiscoversPorts => AutoWatch.Enabled ?? Ports.Count == 0;
}
