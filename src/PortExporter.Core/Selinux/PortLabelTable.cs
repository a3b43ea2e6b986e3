namespace PortExporter.Core.Selinux;

/// <summary>
/// The port contexts known to the exporter, and the lookup the kernel does with them. The kernel takes the first
/// matching <c>portcon</c> of the compiled policy, and the policy compiler (libsepol CIL) sorts them narrowest
/// range first; local customisations are taken before the policy's own. So: local beats policy, a single port
/// beats a range, a narrower range beats a wider one, then the lower start. Immutable, thread-safe.
/// </summary>
/// <param name="Labels">Every port context read.</param>
/// <param name="IsComplete">True when the table holds the whole policy (from semanage), so a port it lacks is <see cref="PortLabelSource.Unlisted"/>.</param>
/// <param name="Origin">Where the table came from, for the evidence and logs.</param>
public sealed record PortLabelTable(IReadOnlyList<PortLabel> Labels, bool IsComplete, string Origin)
{
    /// <summary>No table at all: every port is <see cref="PortLabelSource.Unknown"/>.</summary>
    public static PortLabelTable Empty { get; } = new([], false, "none");

    /// <summary>The port context that decides <paramref name="key"/>'s type, or null when none covers it.</summary>
    public PortLabel? Resolve(PortKey key)
    {
        PortLabel? best = null;
        foreach (var label in Labels)
        {
            if (label.Covers(key) && (best is null || IsMoreSpecific(label, best)))
            {
                best = label;
            }
        }

        return best;
    }

    /// <summary>The type and how it was decided.</summary>
    public (string? Type, PortLabelSource Source) Lookup(PortKey key)
    {
        var label = Resolve(key);
        return label is not null
            ? (label.Type, label.IsLocal ? PortLabelSource.LocalCustomisation : PortLabelSource.Policy)
            : (null, IsComplete ? PortLabelSource.Unlisted : PortLabelSource.Unknown);
    }

    private static bool IsMoreSpecific(PortLabel candidate, PortLabel current)
    {
        if (candidate.IsLocal != current.IsLocal)
        {
            return candidate.IsLocal;
        }

        if (candidate.Width != current.Width)
        {
            return candidate.Width < current.Width;
        }

        return candidate.Low < current.Low;
    }
}
