namespace PortExporter.Core.Configuration;

/// <summary>The <c>auto_watch:</c> section: which listeners become watched ports without being configured.</summary>
/// <param name="Enabled">Explicit <c>auto_watch.enabled</c>; null means "on when the file has no <c>ports:</c>".</param>
/// <param name="MinAge">A listener is watched once it has existed this long (short-lived listeners never are).</param>
/// <param name="ForgetAfter">An auto-watched port whose listener has been gone this long is forgotten.</param>
/// <param name="MaxPorts">Auto-watched ports at most; beyond it the least recently seen is evicted.</param>
public sealed record AutoWatchSettings(bool? Enabled, TimeSpan MinAge, TimeSpan ForgetAfter, int MaxPorts)
{
    public static AutoWatchSettings Default { get; } = new(null, ConfigDefaults.AutoWatchMinAge, ConfigDefaults.AutoWatchForgetAfter, ConfigDefaults.AutoWatchMaxPorts);
}
