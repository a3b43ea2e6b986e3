using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace PortExporter.Core.Selinux;

/// <summary>
/// A file's inode and size, read with statx(2) (whose record layout is the same on every architecture).
/// .NET does not expose inodes; rotation detection needs them. Thread-safe.
/// </summary>
internal static partial class FileIdentity
{
    private const int AtFdCwd = -100;
    private const uint StatxIno = 0x100;
    private const uint StatxSize = 0x200;
    private const int StatxBufferSize = 256;
    private const int InoOffset = 32;
    private const int SizeOffset = 40;
    private const int ENOENT = 2;
    private const int EACCES = 13;
    private const int ENOTDIR = 20;
    private const int ENOSYS = 38;

    private static bool _statxMissing;

    /// <summary>Stats <paramref name="path"/> (following symlinks).</summary>
    public static FileStat Stat(string path)
    {
        if (!_statxMissing)
        {
            var buffer = new byte[StatxBufferSize];
            try
            {
                if (Statx(AtFdCwd, path, 0, StatxIno | StatxSize, buffer) == 0)
                {
                    return new FileStat(
                        FileStatus.Exists,
                        ReadNative(buffer.AsSpan(InoOffset, 8)),
                        (long)ReadNative(buffer.AsSpan(SizeOffset, 8)));
                }

                var errno = Marshal.GetLastPInvokeError();
                switch (errno)
                {
                    case ENOENT or ENOTDIR:
                        return FileStat.Missing;
                    case EACCES:
                        return FileStat.Denied;
                    case ENOSYS:
                        _statxMissing = true;
                        break;
                    default:
                        throw new IOException($"statx {path}: errno {errno}");
                }
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                _statxMissing = true;
            }
        }

        // No statx (old libc or kernel): size only; rotation is then seen only as a shrink.
        var info = new FileInfo(path);
        try
        {
            return info.Exists ? new FileStat(FileStatus.Exists, 0, info.Length) : FileStat.Missing;
        }
        catch (UnauthorizedAccessException)
        {
            return FileStat.Denied;
        }
    }

    private static ulong ReadNative(ReadOnlySpan<byte> bytes) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt64LittleEndian(bytes) : BinaryPrimitives.ReadUInt64BigEndian(bytes);

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);
}
