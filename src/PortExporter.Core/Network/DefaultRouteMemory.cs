namespace PortExporter.Core.Network;

/// <summary>
/// The default routes this process has seen, per address family, so a default route that is gone now can be told
/// from one the host never had. A host without a default route answers only the networks it routes, often on purpose
/// (a lab, an internal host); one that had a default route and lost it no longer answers the outside clients it
/// served. Kept for the life of the process: the next start knows only what it sees. Thread-safe.
/// </summary>
public sealed class DefaultRouteMemory
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, LostDefaultRoute> _seen = [];

    /// <summary>
    /// Notes the default routes of <paramref name="network"/>, seen at <paramref name="now"/>; returns those seen
    /// before that <paramref name="network"/> has no more (none on the first look, none while every family has one).
    /// </summary>
    public IReadOnlyList<LostDefaultRoute> Observe(HostNetwork network, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(network);
        List<LostDefaultRoute>? lost = null;
        lock (_gate)
        {
            foreach (var version in (int[])[4, 6])
            {
                if (network.DefaultInterface(version) is { } present)
                {
                    _seen[version] = new LostDefaultRoute(version, present, now);
                }
                else if (_seen.TryGetValue(version, out var gone))
                {
                    (lost ??= []).Add(gone);
                }
            }
        }

        return lost ?? [];
    }
}

/// <summary>A default route this process saw and the host has no more.</summary>
/// <param name="IpVersion">4 or 6.</param>
/// <param name="Interface">The interface it left by when last seen.</param>
/// <param name="LastSeen">When it was last seen.</param>
public sealed record LostDefaultRoute(int IpVersion, string Interface, DateTimeOffset LastSeen)
{
    /// <summary>"the IPv4 default route by eth0, last seen 2026-12-04 23:40:01Z" style text.</summary>
    public string Describe() =>
        $"the IPv{IpVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)} default route by {Interface}, last seen {LastSeen.UtcDateTime.ToString("u", System.Globalization.CultureInfo.InvariantCulture)}";
}
