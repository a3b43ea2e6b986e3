namespace PortExporter.Core.Selinux;

/// <summary>The audit log as the collector last saw it.</summary>
/// <param name="Path">The file read (under <c>--path.rootfs</c>).</param>
/// <param name="State">Missing, unreadable, or read.</param>
/// <param name="BytesBehind">Bytes not read yet because of the per-collection cap (0 when caught up).</param>
/// <param name="MalformedRecords">Lines skipped as malformed since the exporter started (a counter).</param>
/// <param name="BytesRead">Bytes read since the exporter started (a counter).</param>
public sealed record AuditLogStatus(string Path, AuditLogState State, long BytesBehind, long MalformedRecords, long BytesRead);
