namespace PortExporter.Core.Firewall.Reading;

/// <summary>A cheap token that changes whenever the ruleset may have changed, read on every scrape.</summary>
public interface IRulesetChangeSignal
{
    /// <summary>The current token, or null when the signal is not available here.</summary>
    ulong? Read();
}
