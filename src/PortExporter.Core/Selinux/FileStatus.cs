namespace PortExporter.Core.Selinux;

/// <summary>Whether a path could be stat'ed.</summary>
internal enum FileStatus
{
    Exists,
    Missing,
    Denied,
}
