namespace PortExporter.Core.Selinux;

/// <summary>Receives one complete audit log line (without its newline); the span is valid only during the call.</summary>
public delegate void AuditLineHandler(ReadOnlySpan<byte> line);
