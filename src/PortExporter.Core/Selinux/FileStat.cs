namespace PortExporter.Core.Selinux;

/// <summary>The result of <see cref="FileIdentity.Stat"/>; <see cref="Inode"/> is 0 when unknown.</summary>
internal readonly record struct FileStat(FileStatus Status, ulong Inode, long Size)
{
    public static FileStat Missing => new(FileStatus.Missing, 0, 0);

    public static FileStat Denied => new(FileStatus.Denied, 0, 0);

    public bool Exists => Status == FileStatus.Exists;
}
