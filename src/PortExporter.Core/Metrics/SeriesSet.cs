using Prometheus;

namespace PortExporter.Core.Metrics;

/// <summary>
/// A labelled gauge whose whole set of series is replaced at once: series set this time stay, series not set
/// are removed, so a port no longer watched or a cause no longer current disappears from /metrics.
/// Thread-safe (callers serialise writes per collection).
/// </summary>
public sealed class SeriesSet
{
    private readonly Gauge _gauge;
    private readonly Lock _gate = new();
    private HashSet<LabelKey> _current = [];

    public SeriesSet(IMetricFactory factory, string name, string help, params string[] labelNames)
    {
        _gauge = factory.CreateGauge(name, help, labelNames);
    }

    /// <summary>Replaces every series with <paramref name="series"/>; a repeated label set keeps its last value.</summary>
    public void Replace(IEnumerable<(string[] Labels, double Value)> series)
    {
        lock (_gate)
        {
            var next = new HashSet<LabelKey>();
            foreach (var (labels, value) in series)
            {
                _gauge.WithLabels(labels).Set(value);
                next.Add(new LabelKey(labels));
            }

            foreach (var stale in _current)
            {
                if (!next.Contains(stale))
                {
                    _gauge.RemoveLabelled(stale.Values);
                }
            }

            _current = next;
        }
    }

    private readonly struct LabelKey(string[] values) : IEquatable<LabelKey>
    {
        public string[] Values { get; } = values;

        public bool Equals(LabelKey other) => Values.AsSpan().SequenceEqual(other.Values);

        public override bool Equals(object? obj) => obj is LabelKey other && Equals(other);

        public override int GetHashCode()
        {
            var hash = default(HashCode);
            foreach (var v in Values)
            {
                hash.Add(v, StringComparer.Ordinal);
            }

            return hash.ToHashCode();
        }
    }
}
