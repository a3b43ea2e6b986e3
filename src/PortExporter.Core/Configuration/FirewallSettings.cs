using System.Net;

namespace PortExporter.Core.Configuration;

/// <summary>The <c>firewall:</c> section.</summary>
/// <param name="ExternalSource">The source address an outside client is simulated from.</param>
/// <param name="RefreshInterval">How often the ruleset snapshot is refreshed off the scrape path.</param>
/// <param name="CommandTimeout">Deadline for one <c>nft</c> / <c>iptables-save</c> run.</param>
public sealed record FirewallSettings(IPAddress ExternalSource, TimeSpan RefreshInterval, TimeSpan CommandTimeout)
{
    public static FirewallSettings Default { get; } = new(
        IPAddress.Parse(ConfigDefaults.FirewallExternalSource), ConfigDefaults.FirewallRefreshInterval, ConfigDefaults.CommandTimeout);
}
