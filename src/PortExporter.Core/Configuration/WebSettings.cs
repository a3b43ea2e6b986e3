namespace PortExporter.Core.Configuration;

/// <summary>The <c>web:</c> section: how scrapes share collections.</summary>
/// <param name="MinCollectionInterval">A collection younger than this is reused by the next scrape instead of
/// running a new one, so scrapes in a burst cost one collection per interval.</param>
public sealed record WebSettings(TimeSpan MinCollectionInterval)
{
    /// <summary>The longest <see cref="MinCollectionInterval"/> accepted: longer would serve evidence older than a scrape interval.</summary>
    public static readonly TimeSpan MaxMinCollectionInterval = TimeSpan.FromMinutes(1);

    public static WebSettings Default { get; } = new(ConfigDefaults.MinCollectionInterval);
}
