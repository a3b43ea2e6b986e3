namespace PortExporter.Core.Selinux;

/// <summary>What one incremental read of the audit log did.</summary>
/// <param name="State">Whether the log could be read.</param>
/// <param name="BytesRead">Bytes read from disk in this call.</param>
/// <param name="BytesBehind">Bytes of the live file not read yet (the per-collection cap left them for later).</param>
/// <param name="Rotated">The file was replaced since the last read (the rest of the old one was read when found).</param>
/// <param name="Truncated">The file shrank below the remembered offset and was read again from the start.</param>
/// <param name="OverlongLines">Lines longer than the read buffer, skipped.</param>
public sealed record AuditReadResult(AuditLogState State, long BytesRead, long BytesBehind, bool Rotated, bool Truncated, int OverlongLines)
{
    public static AuditReadResult Missing { get; } = new(AuditLogState.Missing, 0, 0, false, false, 0);

    public static AuditReadResult Unreadable { get; } = new(AuditLogState.Unreadable, 0, 0, false, false, 0);
}
