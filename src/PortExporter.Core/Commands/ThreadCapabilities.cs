using System.Runtime.InteropServices;

namespace PortExporter.Core.Commands;

/// <summary>
/// The capability sets of the calling thread. Linux keeps capabilities per thread: capset(2) and the ambient prctl(2)
/// change only the thread that calls them, and a new thread starts with a copy of its creator's sets. Every thread
/// of the process has the same permitted set (the one execve gave the first thread; nothing here lowers it), so any
/// thread can raise its own effective set, and the thread that forks a child decides the child's ambient set.
/// </summary>
public static partial class ThreadCapabilities
{
    private const uint Version3 = 0x20080522;
    private const int PrCapAmbient = 47;
    private const nuint PrCapAmbientRaise = 2;
    private const nuint PrCapAmbientClearAll = 4;

    /// <summary>The ambient set this thread last gave its children, so repeated spawns cost no system call.</summary>
    [ThreadStatic]
    private static ulong? t_ambient;

    /// <summary>The calling thread's permitted, effective and inheritable masks; zeros when capget fails.</summary>
    public static (ulong Permitted, ulong Effective, ulong Inheritable) Read()
    {
        var header = new Header { Version = Version3 };
        Span<Data> data = stackalloc Data[2];
        if (CapGet(ref header, ref MemoryMarshal.GetReference(data)) != 0)
        {
            return (0, 0, 0);
        }

        return (Join(data[0].Permitted, data[1].Permitted), Join(data[0].Effective, data[1].Effective), Join(data[0].Inheritable, data[1].Inheritable));
    }

    /// <summary>
    /// Makes every permitted capability effective on the calling thread (a file with capabilities but without the
    /// effective bit starts with an empty effective set). True when the effective set now equals the permitted set.
    /// </summary>
    public static bool RaiseEffective()
    {
        var (permitted, effective, inheritable) = Read();
        return effective == permitted || Set(permitted, permitted, inheritable);
    }

    /// <summary>
    /// Sets the ambient set of the calling thread to <paramref name="wanted"/> (as far as it is permitted), so that a
    /// child it forks next, from a file without capabilities, holds exactly these and no others. Call it on the thread
    /// that starts the child, right before. False when the kernel refused (the child then runs without).
    /// </summary>
    public static bool PrepareChild(ulong wanted)
    {
        var (permitted, effective, inheritable) = Read();
        wanted &= permitted;
        if (t_ambient == wanted)
        {
            return true;
        }

        // An ambient capability must be permitted and inheritable. capset only when inheritable lacks one: systemd's
        // unit gives them inheritable already and forbids capset (SystemCallFilter=~@privileged).
        if (((inheritable & wanted) != wanted && !Set(permitted, effective, inheritable | wanted))
            || Prctl(PrCapAmbient, PrCapAmbientClearAll, 0, 0, 0) != 0)
        {
            return false;
        }

        for (var bit = 0; bit < 64; bit++)
        {
            if ((wanted & (1UL << bit)) != 0 && Prctl(PrCapAmbient, PrCapAmbientRaise, (nuint)bit, 0, 0) != 0)
            {
                return false;
            }
        }

        t_ambient = wanted;
        return true;
    }

    private static bool Set(ulong permitted, ulong effective, ulong inheritable)
    {
        var header = new Header { Version = Version3 };
        Span<Data> data =
        [
            new() { Effective = (uint)effective, Permitted = (uint)permitted, Inheritable = (uint)inheritable },
            new() { Effective = (uint)(effective >> 32), Permitted = (uint)(permitted >> 32), Inheritable = (uint)(inheritable >> 32) },
        ];
        return CapSet(ref header, ref MemoryMarshal.GetReference(data)) == 0;
    }

    private static ulong Join(uint low, uint high) => low | ((ulong)high << 32);

    [StructLayout(LayoutKind.Sequential)]
    private struct Header
    {
        public uint Version;
        public int Pid;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Data
    {
        public uint Effective;
        public uint Permitted;
        public uint Inheritable;
    }

    [LibraryImport("libc", EntryPoint = "capget", SetLastError = true)]
    private static partial int CapGet(ref Header header, ref Data data);

    [LibraryImport("libc", EntryPoint = "capset", SetLastError = true)]
    private static partial int CapSet(ref Header header, ref Data data);

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}
