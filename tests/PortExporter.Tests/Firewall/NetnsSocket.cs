using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace PortExporter.Tests.Firewall;

/// <summary>
/// Creates sockets inside a test's network namespace without a helper process: a dedicated thread enters the
/// namespace (setns), creates the socket and ends. A socket belongs to the namespace it was made in, so it can
/// then be used from any thread. Only threads made here ever change namespace.
/// </summary>
public static class NetnsSocket
{
    private const int CloneNewNet = 0x40000000;
    private const int ReadOnlyCloseOnExec = 0x80000;

    public static Socket Create(string namespaceName, AddressFamily family, SocketType type, ProtocolType protocol) =>
        RunIn(namespaceName, () => new Socket(family, type, protocol));

    /// <summary>Runs <paramref name="action"/> on a fresh thread that has entered the namespace, and returns its result.</summary>
    public static T RunIn<T>(string namespaceName, Func<T> action)
    {
        T? result = default;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                var fd = Open($"/var/run/netns/{namespaceName}", ReadOnlyCloseOnExec);
                if (fd < 0)
                {
                    throw new InvalidOperationException($"cannot open namespace {namespaceName}: errno {Marshal.GetLastPInvokeError()}");
                }

                try
                {
                    if (SetNamespace(fd, CloneNewNet) != 0)
                    {
                        throw new InvalidOperationException($"setns({namespaceName}) failed: errno {Marshal.GetLastPInvokeError()}");
                    }
                }
                finally
                {
                    _ = Close(fd);
                }

                result = action();
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        thread.Start();
        thread.Join();
        return error is null ? result! : throw new InvalidOperationException($"in namespace {namespaceName}: {error.Message}", error);
    }

    /// <summary>A dual-stack ([::] with IPv4-mapped) socket of <paramref name="type"/> bound to <paramref name="port"/> in the namespace.</summary>
    public static Socket BindDualStack(string namespaceName, SocketType type, int port)
    {
        var socket = Create(namespaceName, AddressFamily.InterNetworkV6, type, type == SocketType.Stream ? ProtocolType.Tcp : ProtocolType.Udp);
        socket.DualMode = true;
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        socket.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
        return socket;
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static extern int SetNamespace(int fd, int nstype);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
