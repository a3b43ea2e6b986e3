namespace PortExporter.Firewall.Model;

/// <summary>Interface names; a name ending in <c>+</c> (iptables) or <c>*</c> (nft) matches by prefix.</summary>
public sealed class InterfaceValues : FieldValues
{
    private readonly string[] _exact;
    private readonly string[] _prefixes;

    public InterfaceValues(IEnumerable<string> patterns)
    {
        var exact = new List<string>();
        var prefixes = new List<string>();
        foreach (var p in patterns)
        {
            if (p.Length > 0 && (p[^1] == '+' || (p[^1] == '*' && !p.EndsWith("\\*", StringComparison.Ordinal))))
            {
                prefixes.Add(p[..^1]);
            }
            else
            {
                exact.Add(p.Replace("\\*", "*", StringComparison.Ordinal));
            }
        }

        _exact = [.. exact];
        _prefixes = [.. prefixes];
    }

    public override MatchResult Test(PacketField field, PacketState packet)
    {
        var name = field switch
        {
            PacketField.InInterface => packet.InInterface,
            PacketField.OutInterface => packet.OutInterface,
            _ => null,
        };
        if (name is null)
        {
            return MatchResult.Unknown;
        }

        foreach (var e in _exact)
        {
            if (string.Equals(e, name, StringComparison.Ordinal))
            {
                return MatchResult.Yes;
            }
        }

        foreach (var p in _prefixes)
        {
            if (name.StartsWith(p, StringComparison.Ordinal))
            {
                return MatchResult.Yes;
            }
        }

        return MatchResult.No;
    }

    /// <summary>True when <paramref name="other"/> holds the same names and prefixes (for sharing equal values).</summary>
    internal bool SameValues(InterfaceValues other) =>
        _exact.AsSpan().SequenceEqual(other._exact) && _prefixes.AsSpan().SequenceEqual(other._prefixes);

    /// <summary>A hash of the names and prefixes, consistent with <see cref="SameValues"/>.</summary>
    internal int ValueHash()
    {
        var hash = new HashCode();
        foreach (var e in _exact)
        {
            hash.Add(e, StringComparer.Ordinal);
        }

        hash.Add(_prefixes.Length);
        foreach (var p in _prefixes)
        {
            hash.Add(p, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }
}
