namespace PortExporter.Core.Firewall.Reading;

/// <summary>A cheap token that changes whenever the ruleset may have changed, read on every scrape.</summary>
public interface IRulesetChangeSignal
{
    /// <summary>The current token, or null when the signal is not available here.</summary>
    ulong? Read();

    /// <summary>
    /// Whether every ruleset change that can decide a verdict moves the token now: only then may a snapshot outlive
    /// the refresh interval while the token stands still. A signal that cannot tell says no.
    /// </summary>
    bool CoversAllChanges() => false;
}
