namespace PortExporter.Core.Configuration;

/// <summary>The validated config file. Immutable; a reload builds a new one.</summary>
/// <param name="SourcePath">The file it came from, or null when none was given.</param>
/// <param name="Ports">Watched ports. Empty with no file means "watch every listener".</param>
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

    /// <summary>True when the watched set comes from the host's listeners, not from the file.</summary>
    public bool DiscoversPorts => SourcePath is null && Ports.Count == 0;
}
