namespace PortExporter.Core.Selinux;

/// <summary>Tuning of the SELinux collector; <see cref="Default"/> holds the defaults.</summary>
/// <param name="MaxAuditBytesPerCollection">Audit log bytes read per collection at most; the rest waits for the next ones.</param>
/// <param name="InitialAuditBacklogBytes">How far before the end of the audit log the first collection starts.</param>
/// <param name="RotatedAuditFilesToSearch">How many rotated names (<c>audit.log.1</c> …) are searched for the file being read when it was rotated.</param>
/// <param name="Semanage">When to run <c>semanage port -l -n</c>.</param>
/// <param name="SemanageTimeout">Deadline of one semanage run (it loads the whole policy: seconds).</param>
/// <param name="SemanageRetryInterval">After semanage failed, how long before it is tried again with an unchanged policy.</param>
/// <param name="LabelRefreshWait">How long a collection waits for a port-table refresh before it goes on with the previous table.</param>
public sealed record SelinuxCollectorOptions(
    long MaxAuditBytesPerCollection,
    long InitialAuditBacklogBytes,
    int RotatedAuditFilesToSearch,
    SemanageUse Semanage,
    TimeSpan SemanageTimeout,
    TimeSpan SemanageRetryInterval,
    TimeSpan LabelRefreshWait)
{
    public static SelinuxCollectorOptions Default { get; } = new(
        MaxAuditBytesPerCollection: 16L * 1024 * 1024,
        InitialAuditBacklogBytes: 64L * 1024 * 1024,
        RotatedAuditFilesToSearch: 9,
        Semanage: SemanageUse.Auto,
        SemanageTimeout: TimeSpan.FromSeconds(30),
        SemanageRetryInterval: TimeSpan.FromMinutes(5),
        LabelRefreshWait: TimeSpan.FromSeconds(2));
}
