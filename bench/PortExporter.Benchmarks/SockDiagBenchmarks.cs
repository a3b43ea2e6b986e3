using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using PortExporter.Core;
using PortExporter.Core.Sockets;

namespace PortExporter.Benchmarks;

/// <summary>
/// The netlink sock_diag path with this process holding <see cref="Listeners"/> loopback TCP listeners (plus
/// whatever the host listens on): <see cref="SockDiagParser"/> on the kernel's own answer buffers, captured once
/// in setup, and <see cref="SockDiagReader.ReadListeners"/> end to end (four dumps: tcp, udp, IPv4, IPv6).
/// </summary>
[MemoryDiagnoser]
public class SockDiagBenchmarks
{
    private readonly List<Socket> _sockets = [];
    private readonly List<Listener> _listeners = new(8 * 1024);
    private List<byte[]> _answer = [];

    [Params(100, 1_000)]
    public int Listeners { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < Listeners; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            socket.Listen();
            _sockets.Add(socket);
        }

        _answer = SockDiagReader.DumpRaw(ipv6: false, TransportProtocol.Tcp);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
    }

    [Benchmark]
    public int ParseKernelAnswer()
    {
        _listeners.Clear();
        foreach (var buffer in _answer)
        {
            if (SockDiagParser.Parse(buffer, TransportProtocol.Tcp, _listeners))
            {
                break;
            }
        }

        return _listeners.Count;
    }

    [Benchmark]
    public int ReadListeners() => SockDiagReader.ReadListeners().Count;
}
