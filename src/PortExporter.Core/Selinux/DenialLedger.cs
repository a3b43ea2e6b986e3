namespace PortExporter.Core.Selinux;

/// <summary>
/// Denial state for the watched ports only, so it is bounded by the watched set: a port that stops being watched
/// is forgotten. Not thread-safe (owned by the collector, which serialises collections).
/// </summary>
internal sealed class DenialLedger
{
    private readonly Dictionary<PortKey, PortDenials> _ports = [];

    public DenialLedger()
    {
        Filter = IsWatched;
    }

    /// <summary><see cref="IsWatched"/> as one cached delegate, for the parser (a method group would allocate per line).</summary>
    public Func<PortKey, bool> Filter { get; }

    /// <summary>Makes <paramref name="keys"/> the watched set: new ports start empty, others are dropped.</summary>
    public void Watch(IEnumerable<PortKey> keys)
    {
        var wanted = keys.ToHashSet();
        foreach (var key in _ports.Keys.Where(k => !wanted.Contains(k)).ToList())
        {
            _ports.Remove(key);
        }

        foreach (var key in wanted)
        {
            _ports.TryAdd(key, new PortDenials());
        }
    }

    public bool IsWatched(PortKey key) => _ports.ContainsKey(key);

    public void Record(AvcDenial denial)
    {
        if (_ports.TryGetValue(denial.Port, out var state))
        {
            state.Record(denial);
        }
    }

    public PortDenials For(PortKey key) => _ports.TryGetValue(key, out var state) ? state : new PortDenials();
}
