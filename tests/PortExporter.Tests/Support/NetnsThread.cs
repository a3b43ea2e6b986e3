using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using PortExporter.Core.Probes;

namespace PortExporter.Tests.Support;

/// <summary>
/// A dedicated thread that has joined a network namespace with <c>setns(2)</c> (a network namespace switch affects
/// only the calling thread). Work handed to it runs there, so a socket it creates lives in the namespace; the
/// socket's later I/O may complete on any thread. The test process itself never leaves its own namespace.
/// </summary>
public sealed class NetnsThread : IDisposable
{
    private const int CloneNewNet = 0x40000000;

    private readonly BlockingCollection<Action> _work = [];
    private readonly Thread _thread;

    public NetnsThread(Netns netns)
        : this(netns.Name)
    {
    }

    public NetnsThread(string name)
    {
        Shell.RequireRoot();
        var joined = new TaskCompletionSource();
        _thread = new Thread(() =>
        {
            try
            {
                using (var handle = File.OpenHandle($"/var/run/netns/{name}", FileMode.Open, FileAccess.Read))
                {
                    if (setns((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                    {
                        throw new InvalidOperationException($"setns({name}) failed: errno {Marshal.GetLastPInvokeError()}");
                    }
                }

                joined.SetResult();
            }
            catch (Exception e)
            {
                joined.SetException(e);
                return;
            }

            foreach (var item in _work.GetConsumingEnumerable())
            {
                item();
            }
        })
        { IsBackground = true, Name = $"netns {name}" };
        _thread.Start();
        joined.Task.GetAwaiter().GetResult();
    }

    /// <summary>Runs <paramref name="work"/> on the namespace's thread and returns its result.</summary>
    public T Invoke<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return done.Task.GetAwaiter().GetResult();
    }

    public Socket CreateSocket(AddressFamily family, SocketType type, ProtocolType protocol) =>
        Invoke(() => new Socket(family, type, protocol));

    /// <summary>The namespace as a probe network: its sockets and addresses; names resolve with <paramref name="resolve"/> (none by default).</summary>
    public ProbeNetwork Network(Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null) => new(
        CreateSocket,
        resolve ?? ((host, _) => Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound))),
        () => Invoke(ProbeNetwork.ReadInterfaceAddresses));

    /// <summary>An HTTP client whose connections are made from inside the namespace.</summary>
    public HttpClient HttpClient() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        ConnectCallback = async (context, ct) =>
        {
            var address = IPAddress.Parse(context.DnsEndPoint.Host);
            var socket = CreateSocket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    });

    public void Dispose()
    {
        _work.CompleteAdding();
        _thread.Join(TimeSpan.FromSeconds(5));
        _work.Dispose();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);
}
