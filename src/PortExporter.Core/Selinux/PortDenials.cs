namespace PortExporter.Core.Selinux;

/// <summary>
/// The denials seen for one watched port since the exporter started: counts per permission (they only grow),
/// and the newest denial. Not thread-safe (owned by the collector).
/// </summary>
internal sealed class PortDenials
{
    private readonly long[] _counts = new long[AvcRecordParser.PortPermissions.Count];

    public DateTimeOffset? LastAt { get; private set; }

    public string? LastSourceType { get; private set; }

    public string? LastPermission { get; private set; }

    public string? LastComm { get; private set; }

    /// <summary>The newest denial that was enforced (permissive=0 or absent).</summary>
    public DateTimeOffset? LastEnforcedAt { get; private set; }

    public void Record(AvcDenial denial)
    {
        foreach (var permission in denial.Permissions)
        {
            var index = IndexOf(permission);
            if (index >= 0)
            {
                _counts[index]++;
            }
        }

        if (LastAt is null || denial.Timestamp >= LastAt)
        {
            LastAt = denial.Timestamp;
            LastSourceType = denial.SourceType;
            LastPermission = denial.Permissions[0];
            LastComm = denial.Comm;
        }

        if (denial.Enforced && (LastEnforcedAt is null || denial.Timestamp > LastEnforcedAt))
        {
            LastEnforcedAt = denial.Timestamp;
        }
    }

    /// <summary>Every port permission with its count, zeros included.</summary>
    public IReadOnlyDictionary<string, long> Counts()
    {
        var counts = new Dictionary<string, long>(AvcRecordParser.PortPermissions.Count, StringComparer.Ordinal);
        for (var i = 0; i < _counts.Length; i++)
        {
            counts[AvcRecordParser.PortPermissions[i]] = _counts[i];
        }

        return counts;
    }

    private static int IndexOf(string permission)
    {
        for (var i = 0; i < AvcRecordParser.PortPermissions.Count; i++)
        {
            if (string.Equals(AvcRecordParser.PortPermissions[i], permission, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
