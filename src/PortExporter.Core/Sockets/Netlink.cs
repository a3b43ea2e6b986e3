using System.Runtime.InteropServices;

namespace PortExporter.Core.Sockets;

/// <summary>
/// The libc calls a netlink conversation needs (a raw netlink socket of the calling thread's network namespace, one
/// request, its answers) and the interface names of that namespace, for <see cref="SockDiagReader"/> and the route
/// questions of <see cref="Network.RouteQuery"/>.
/// </summary>
internal static partial class Netlink
{
    /// <summary><c>NETLINK_ROUTE</c>: routes, rules, links.</summary>
    public const int Route = 0;

    /// <summary><c>NETLINK_SOCK_DIAG</c>: sockets.</summary>
    public const int SockDiag = 4;

    /// <summary><c>NLM_F_REQUEST</c>.</summary>
    public const ushort Request = 0x1;

    /// <summary><c>NLM_F_DUMP</c> (<c>NLM_F_ROOT | NLM_F_MATCH</c>): every object of the kind asked, in parts.</summary>
    public const ushort Dump = 0x300;

    /// <summary><c>NLMSG_ERROR</c>: an error answer (a negative errno after the header; 0 acknowledges).</summary>
    public const ushort Error = 2;

    /// <summary><c>NLMSG_DONE</c>: the end of a dump.</summary>
    public const ushort Done = 3;

    /// <summary>The length of <c>struct nlmsghdr</c>.</summary>
    public const int HeaderLength = 16;

    /// <summary>The errno of an interrupted call, tried again.</summary>
    public const int Eintr = 4;

    private const int AfNetlink = 16;
    private const int SockRaw = 3;
    private const int SockCloexec = 0x80000;
    private const int SolSocket = 1;
    private const int SoRcvTimeo = 20;

    /// <summary>A netlink socket of <paramref name="protocol"/>; negative when none may be opened (errno in the last P/Invoke error).</summary>
    public static int Open(int protocol) => Socket(AfNetlink, SockRaw | SockCloexec, protocol);

    /// <summary>Receives on <paramref name="fd"/> wait at most <paramref name="seconds"/>; false when the option was refused.</summary>
    public static bool ReceiveTimeout(int fd, long seconds)
    {
        Span<long> timeval = [seconds, 0];
        return SetSockOpt(fd, SolSocket, SoRcvTimeo, ref MemoryMarshal.GetReference(MemoryMarshal.AsBytes(timeval)), 2 * sizeof(long)) == 0;
    }

    /// <summary>The name of an interface index in this thread's network namespace, null when unknown.</summary>
    public static unsafe string? InterfaceName(int index)
    {
        // IF_NAMESIZE: 16 bytes, the terminating NUL included.
        var name = stackalloc byte[16];
        return IfIndexToName((uint)index, name) == 0 ? null : Marshal.PtrToStringUTF8((nint)name);
    }

    /// <summary>The index of an interface of this thread's network namespace, 0 when it has none of that name.</summary>
    public static uint InterfaceIndex(string name) => IfNameToIndex(name);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(int fd, ref byte buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    public static partial nint Recv(int fd, ref byte buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static partial int SetSockOpt(int fd, int level, int name, ref byte value, int length);

    [LibraryImport("libc", EntryPoint = "if_indextoname")]
    private static unsafe partial nint IfIndexToName(uint index, byte* name);

    [LibraryImport("libc", EntryPoint = "if_nametoindex", StringMarshalling = StringMarshalling.Utf8)]
    private static partial uint IfNameToIndex(string name);
}
