using System.Collections.Immutable;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;

namespace PortExporter.Core.Timeline;

/// <summary>
/// The timeline of evidence changes per watched port, kept in memory: fed by the pipeline after each collection
/// (<see cref="Record"/>), which compares each port's facts with the previous collection's through
/// <see cref="EvidenceComparers"/>. Bounded: <c>history.max_events</c> events per port, none older than
/// <c>history.max_age</c>, and only the ports of the latest collection (a port no longer watched is forgotten).
/// Thread-safe; a view handed out is immutable.
/// </summary>
public sealed class EvidenceTimeline
{
    private readonly Lock _gate = new();
    private ImmutableDictionary<PortKey, PortHistory> _ports = ImmutableDictionary<PortKey, PortHistory>.Empty;
    private long _revision;

    /// <summary>The timeline now.</summary>
    public ImmutableDictionary<PortKey, PortHistory> Current
    {
        get
        {
            lock (_gate)
            {
                return _ports;
            }
        }
    }

    /// <summary>Adds what changed since the previous collection and returns the timeline after it.</summary>
    public ImmutableDictionary<PortKey, PortHistory> Record(EvidenceSnapshot evidence, IReadOnlyList<Diagnosis.Diagnosis> diagnoses)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(diagnoses);
        var limits = evidence.Config.History;
        var at = evidence.TakenAt;
        lock (_gate)
        {
            var next = ImmutableDictionary.CreateBuilder<PortKey, PortHistory>();
            foreach (var diagnosis in diagnoses)
            {
                var port = diagnosis.Port;
                var previous = _ports.GetValueOrDefault(port.Key);
                var facts = PortFactsReader.Read(port, evidence, diagnosis).Carry(previous?.Facts);
                next[port.Key] = previous is null
                    ? PortHistory.Start(port.Name, facts, at)
                    : previous.Next(port.Name, facts, EvidenceComparers.Compare(previous.Facts, facts, at), at, limits);
            }

            var ports = next.ToImmutable();
            if (ports.Count != _ports.Count || ports.Any(p => !_ports.TryGetValue(p.Key, out var was) || was.Events != p.Value.Events || was.CauseSince != p.Value.CauseSince))
            {
                _revision++;
            }

            _ports = ports;
            return _ports;
        }
    }

    /// <summary>Replaces the timeline with <paramref name="restored"/> (read back from the state file), before the first collection.</summary>
    public void Restore(ImmutableDictionary<PortKey, PortHistory> restored)
    {
        ArgumentNullException.ThrowIfNull(restored);
        lock (_gate)
        {
            _ports = restored;
            _revision++;
        }
    }

    /// <summary>The timeline now and its revision, which moves whenever a collection adds a change, moves a diagnosis or changes the ports.</summary>
    public (long Revision, ImmutableDictionary<PortKey, PortHistory> Ports) Snapshot()
    {
        lock (_gate)
        {
            return (_revision, _ports);
        }
    }
}
