using System.Globalization;

namespace PortExporter.Core.Probes;

/// <summary>
/// The steps of one probe for <c>/probe?debug=true</c>: resolved address, connect start, outcome, reason, duration.
/// It never holds anything the remote side sent. Bounded to <see cref="ProbeLimits.MaxStepLogLines"/> lines.
/// Thread-safe.
/// </summary>
public sealed class ProbeStepLog(TimeProvider time)
{
    private readonly long _started = time.GetTimestamp();
    private readonly List<string> _lines = [];
    private readonly Lock _gate = new();

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>Adds one step, stamped with the time since the log began.</summary>
    public void Add(string step)
    {
        var elapsed = time.GetElapsedTime(_started).TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);
        lock (_gate)
        {
            if (_lines.Count < ProbeLimits.MaxStepLogLines)
            {
                _lines.Add($"+{elapsed}s {step}");
            }
        }
    }
}
